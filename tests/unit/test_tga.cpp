// TGA (CVPR'19): hand-computed forward, strict ties, delta clip, and finite-difference checks of
// the closed-form alpha-path weight gradient and the delta gradient (double precision).
#include "test_helpers.hpp"
#include "tnn/ternarize.hpp"

#include <cmath>

using namespace tnn;
using tnn::test::codes_of;
using tnn::test::require_close;
using tnn::test::vec;

namespace {
std::shared_ptr<Ternarizer> tga(nlohmann::json params) {
  return make_ternarizer({"tga", params});
}
torch::Tensor delta_of(Ternarizer& q) {
  return q.named_parameters()["delta"];
}
}  // namespace

// W = -2..2: mu = 0, sigma = sqrt(10/4) = 1.5811388; delta = 0.5: z = 0.31622777,
// lambda = phi(z)/(1-Phi(z)) = 1.00949901, alpha = sigma*lambda = 1.59615808.
TEST_CASE("tga: forward - truncated-Gaussian alpha", "[tga]") {
  auto w = vec({-2, -1, 0, 1, 2});
  auto q = tga({{"delta", 0.5}});
  auto t = q->decompose(w);
  CHECK(codes_of(t[0].codes) == std::vector<int>{-1, -1, 0, 1, 1});
  CHECK(t[0].scale_pos.item<double>() == Approx(1.5961580843419554).epsilon(1e-6));
  require_close(q->forward(w), {-1.5961580843, -1.5961580843, 0, 1.5961580843, 1.5961580843}, 1e-6);
}

// delta = 1: W = +-1 sit exactly on mu +- delta_c and are zeroed (strict); alpha = 1.95959808.
TEST_CASE("tga: thresholds are strict and centred on the mean", "[tga]") {
  auto t = tga({{"delta", 1.0}})->decompose(vec({-2, -1, 0, 1, 2}));
  CHECK(codes_of(t[0].codes) == std::vector<int>{-1, 0, 0, 0, 1});
  CHECK(t[0].scale_pos.item<double>() == Approx(1.959598078467473).epsilon(1e-6));
  // Shifting every weight by +10 shifts the thresholds, not the codes; levels stay +-alpha.
  auto s = tga({{"delta", 1.0}})->decompose(vec({8, 9, 10, 11, 12}));
  CHECK(codes_of(s[0].codes) == std::vector<int>{-1, 0, 0, 0, 1});
  CHECK(s[0].threshold_lo.item<float>() == 9.0f);
  CHECK(s[0].threshold_hi.item<float>() == 11.0f);
  CHECK(s[0].scale_pos.item<double>() == Approx(10 + 1.959598078467473).epsilon(1e-6));
}

TEST_CASE("tga: |delta| is clipped to 3 sigma and the sign of delta does not matter", "[tga]") {
  auto w = vec({-2, -1, 0, 1, 2});
  auto big = tga({{"delta", 100.0}})->decompose(w);  // delta_c = 3 sigma = 4.74: all zero
  CHECK(big[0].threshold_hi.item<double>() == Approx(3 * 1.5811388300841898).epsilon(1e-6));
  CHECK(codes_of(big[0].codes) == std::vector<int>{0, 0, 0, 0, 0});
  auto neg = tga({{"delta", -0.5}})->decompose(w);
  CHECK(neg[0].scale_pos.item<double>() == Approx(1.5961580843419554).epsilon(1e-6));
}

TEST_CASE("tga: delta initialises to 0.05 max|W| unless given", "[tga]") {
  auto q = tga({});
  q->init_from_weight(vec({0.1f, -4.0f, 2.0f}));
  CHECK(delta_of(*q).item<float>() == Approx(0.2f));
  auto fixed = tga({{"delta", 0.7}});
  fixed->init_from_weight(vec({0.1f, -4.0f, 2.0f}));
  CHECK(delta_of(*fixed).item<float>() == Approx(0.7f));
}

namespace {
// L(W, delta) = sum c_i * W_t,i in double precision.
double loss(Ternarizer& q, const torch::Tensor& w, const torch::Tensor& c) {
  torch::NoGradGuard ng;
  return (q.forward(w) * c).sum().item<double>();
}
}  // namespace

TEST_CASE("tga: weight gradient = STE term + alpha path - alpha path matches finite differences",
          "[tga][grad]") {
  torch::manual_seed(7);
  auto w = torch::randn({40}, torch::kDouble);
  auto c = torch::randn({40}, torch::kDouble);
  auto q = tga({{"delta", 0.6}, {"delta_grad_clamp", 0.0}});
  q->to(torch::kDouble);
  auto codes = q->decompose(w)[0].codes;

  auto wg = w.clone().requires_grad_(true);
  (q->forward(wg) * c).sum().backward();
  auto alpha_path = wg.grad() - c;  // the STE part passes g = c unchanged

  const double eps = 1e-6;
  for (int64_t i = 0; i < w.numel(); ++i) {
    auto wp = w.clone(), wm = w.clone();
    wp[i] += eps;
    wm[i] -= eps;
    // T is piecewise constant: finite differences see only alpha's dependence on W.
    REQUIRE(torch::equal(q->decompose(wp)[0].codes, codes));
    REQUIRE(torch::equal(q->decompose(wm)[0].codes, codes));
    double fd = (loss(*q, wp, c) - loss(*q, wm, c)) / (2 * eps);
    INFO("i = " << i);
    CHECK(alpha_path[i].item<double>() == Approx(fd).epsilon(1e-6).margin(1e-8));
  }

  // Switched off, the weights get the STE term only.
  auto q2 = tga({{"delta", 0.6}, {"alpha_grad", false}});
  q2->to(torch::kDouble);
  auto w2 = w.clone().requires_grad_(true);
  (q2->forward(w2) * c).sum().backward();
  CHECK(torch::equal(w2.grad(), c));
}

TEST_CASE("tga: delta gradient matches finite differences - clamped to +-1e-3 by default",
          "[tga][grad]") {
  torch::manual_seed(11);
  auto w = torch::randn({60}, torch::kDouble);
  auto c = torch::randn({60}, torch::kDouble);
  for (double d0 : {0.4, -0.4}) {
    auto q = tga({{"delta", d0}, {"delta_grad_clamp", 0.0}});
    q->to(torch::kDouble);
    {
      torch::NoGradGuard ng;
      delta_of(*q).fill_(d0);
    }
    (q->forward(w) * c).sum().backward();
    double analytic = delta_of(*q).grad().item<double>();
    // Set delta +- eps after the conversion to double (float32 would round eps away).
    auto q_plus = tga({{"delta", d0}}), q_minus = tga({{"delta", d0}});
    q_plus->to(torch::kDouble);
    q_minus->to(torch::kDouble);
    {
      torch::NoGradGuard ng;
      delta_of(*q_plus).fill_(d0 + 1e-6);
      delta_of(*q_minus).fill_(d0 - 1e-6);
    }
    REQUIRE(torch::equal(q_plus->decompose(w)[0].codes, q_minus->decompose(w)[0].codes));
    double fd = (loss(*q_plus, w, c) - loss(*q_minus, w, c)) / 2e-6;
    INFO("delta = " << d0);
    CHECK(analytic == Approx(fd).epsilon(1e-5));
    CHECK(std::abs(analytic) > 1e-3);  // so the clamp below has something to clamp
    auto qc = tga({{"delta", d0}});
    qc->to(torch::kDouble);
    (qc->forward(w) * c).sum().backward();
    CHECK(std::abs(delta_of(*qc).grad().item<double>()) == Approx(1e-3));
  }
  // Beyond the 3-sigma clip delta gets no gradient.
  auto qclip = tga({{"delta", 50.0}, {"delta_grad_clamp", 0.0}});
  qclip->to(torch::kDouble);
  (qclip->forward(w) * c).sum().backward();
  CHECK(delta_of(*qclip).grad().item<double>() == 0.0);
}
