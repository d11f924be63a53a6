// WACV'19 ternarizer: hand-computed values, the reference-code quirks and ties at +-Delta, the STE.
#include "test_helpers.hpp"
#include "tnn/ternarize.hpp"

using namespace tnn;
using tnn::test::codes_of;
using tnn::test::require_close;
using tnn::test::vec;

namespace {
std::shared_ptr<Ternarizer> wacv19(nlohmann::json params = nlohmann::json::object()) {
  return make_ternarizer({"wacv19", params});
}
}  // namespace

// max|W| = 1 -> Delta = 0.05f exactly; 0.05f and -0.05f sit on the thresholds.
// kept set (|W| >= Delta): 0.5, 1.0, 0.05, 0.05, 0.3, 0.2 -> alpha = 2.1 / 6 = 0.35.
TEST_CASE("wacv19: one term - reference quirk: -Delta counts in alpha but is zeroed", "[wacv19]") {
  auto w = vec({0.5f, -1.0f, 0.05f, -0.05f, 0.3f, -0.2f, 0.04f, 0.0f});
  auto q = wacv19();
  auto terms = q->decompose(w);
  REQUIRE(terms.size() == 1);
  CHECK(codes_of(terms[0].codes) == std::vector<int>{1, -1, 1, 0, 1, -1, 0, 0});
  CHECK(terms[0].scale_pos.item<double>() == Approx(0.35).epsilon(1e-6));
  CHECK(terms[0].threshold_hi.item<float>() == 0.05f);
  require_close(q->forward(w), {0.35, -0.35, 0.35, 0, 0.35, -0.35, 0, 0});
  CHECK(terms[0].zero_fraction() == Approx(3.0 / 8));
}

TEST_CASE("wacv19: quirk off makes the negative side non-strict too", "[wacv19]") {
  auto w = vec({0.5f, -1.0f, 0.05f, -0.05f, 0.3f, -0.2f, 0.04f, 0.0f});
  auto terms = wacv19({{"reference_quirk", false}})->decompose(w);
  CHECK(codes_of(terms[0].codes) == std::vector<int>{1, -1, 1, -1, 1, -1, 0, 0});
  CHECK(terms[0].scale_pos.item<double>() == Approx(0.35).epsilon(1e-6));
}

// Residual expansion, t_ex = 2: Delta = 0.05 and 0.10 of max|W| = 1.
// term 1: kept 1.0, 0.5, 0.1, 0.3, 0.2, 0.06 -> alpha1 = 2.16 / 6 = 0.36
// term 2: kept (|W| >= 0.1f) 1.0, 0.5, 0.1, 0.3, 0.2 -> alpha2 = 2.1 / 5 = 0.42
TEST_CASE("wacv19: residual expansion with two terms - nested masks", "[wacv19][rel]") {
  auto w = vec({1.0f, -0.5f, 0.1f, -0.3f, 0.2f, 0.06f, -0.04f, 0.0f});
  auto q = wacv19({{"terms", 2}});
  REQUIRE(q->terms() == 2);
  auto terms = q->decompose(w);
  REQUIRE(terms.size() == 2);
  CHECK(codes_of(terms[0].codes) == std::vector<int>{1, -1, 1, -1, 1, 1, 0, 0});
  CHECK(codes_of(terms[1].codes) == std::vector<int>{1, -1, 1, -1, 1, 0, 0, 0});
  CHECK(terms[0].scale_pos.item<double>() == Approx(0.36).epsilon(1e-6));
  CHECK(terms[1].scale_pos.item<double>() == Approx(0.42).epsilon(1e-6));
  require_close(q->forward(w), {0.78, -0.78, 0.78, -0.78, 0.78, 0.36, 0, 0});
}

TEST_CASE("wacv19: four terms default to deltas 0.05..0.20 - explicit deltas are used",
          "[wacv19][rel]") {
  auto q4 = wacv19({{"terms", 4}});
  CHECK(q4->params()["terms"] == 4);
  auto w = torch::linspace(-1, 1, 201);
  auto terms = q4->decompose(w);
  REQUIRE(terms.size() == 4);
  for (int k = 0; k < 4; ++k)
    CHECK(terms[k].threshold_hi.item<float>() == Approx(0.05 * (k + 1)).epsilon(1e-6));
  auto q = wacv19({{"terms", 2}, {"deltas", {0.2, 0.5}}});
  auto t2 = q->decompose(w);
  CHECK(t2[1].threshold_hi.item<float>() == Approx(0.5).epsilon(1e-6));
  CHECK_THROWS_WITH(wacv19({{"terms", 2}, {"deltas", {0.2}}}),
                    Catch::Contains("deltas") && Catch::Contains("2 numbers"));
}

TEST_CASE("wacv19: STE passes the gradient where |W| < 1 only - unscaled by alpha",
          "[wacv19][grad]") {
  auto w = vec({0.5f, -1.0f, 1.5f, -0.999f, 0.02f, 1.0f}).requires_grad_(true);
  auto g = vec({1, 2, 3, 4, 5, 6});
  auto q = wacv19();
  q->forward(w).backward(g);
  CHECK(codes_of(w.grad()) == std::vector<int>{1, 0, 0, 4, 5, 0});  // exact: zero at |W| >= 1
  w.mutable_grad().reset();
  wacv19({{"ste", "identity"}})->forward(w).backward(g);
  CHECK(codes_of(w.grad()) == std::vector<int>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("wacv19: REL gradient is t_ex x dL/dW_eff by default (reference) - 1x when switched",
          "[wacv19][rel][grad]") {
  auto w = vec({0.5f, -0.2f, 0.02f}).requires_grad_(true);
  auto g = vec({1, 2, 3});
  wacv19({{"terms", 2}})->forward(w).backward(g);
  CHECK(codes_of(w.grad()) == std::vector<int>{2, 4, 6});
  w.mutable_grad().reset();
  wacv19({{"terms", 2}, {"rel_grad_scale", "one"}})->forward(w).backward(g);
  CHECK(codes_of(w.grad()) == std::vector<int>{1, 2, 3});
  CHECK(wacv19({{"terms", 2}})->bias_multiplier() == 2);
  CHECK(wacv19({{"terms", 2}, {"rel_bias", "once"}})->bias_multiplier() == 1);
}

TEST_CASE("wacv19: alpha gets no gradient (no path through max|W| or the mean)", "[wacv19][grad]") {
  // If alpha or Delta were differentiated, weights below the threshold would get gradient
  // contributions from sum(g*T); with the STE they get exactly g.
  auto w = vec({0.9f, -0.6f, 0.01f}).requires_grad_(true);
  wacv19()->forward(w).sum().backward();
  CHECK(codes_of(w.grad()) == std::vector<int>{1, 1, 1});
}

// Delta = 0 and W >= Delta everywhere: codes +1 as in the reference, but alpha = 0, not NaN.
TEST_CASE("wacv19: all-zero weights give alpha 0 - not NaN", "[wacv19]") {
  auto q = wacv19();
  auto t = q->decompose(torch::zeros({4}));
  CHECK(t[0].scale_pos.item<float>() == 0.0f);
  CHECK(codes_of(q->forward(torch::zeros({4}))) == std::vector<int>{0, 0, 0, 0});
}

TEST_CASE("wacv19: channels-last conv weights give the same codes as contiguous ones", "[wacv19]") {
  torch::manual_seed(3);
  auto w = torch::randn({8, 4, 3, 3});
  auto q = wacv19();
  auto a = q->forward(w);
  auto b = q->forward(w.contiguous(at::MemoryFormat::ChannelsLast));
  CHECK(torch::allclose(a, b.contiguous(), 1e-6, 1e-7));
  CHECK(torch::equal(a.sign(), b.contiguous().sign()));
}
