// LQ-Net restricted to ternary: hand-computed codes at the half-level thresholds, the
// least-squares + moving-average fit of v in training forwards, the init, the identity STE, and
// its training policy (v re-fitted after loading weights).
#include "test_helpers.hpp"
#include "tnn/ternarize.hpp"

using namespace tnn;
using tnn::test::codes_of;
using tnn::test::require_close;
using tnn::test::vec;

namespace {
std::shared_ptr<Ternarizer> lq(nlohmann::json params, const torch::Tensor& w) {
  auto q = make_ternarizer({"lqnet_ternary", params});
  q->init_from_weight(w);
  return q;
}
double level_of(Ternarizer& q) {
  return q.decompose(torch::zeros({1}))[0].scale_pos.item<double>();
}
}  // namespace

// v = 0.4 -> thresholds +-0.2 (0.4f * 0.5 == 0.2f exactly): W = 0.2 is 0, W = -0.2 is -1.
TEST_CASE("lqnet_ternary: codes at the half-level thresholds", "[lqnet_ternary]") {
  auto w = vec({0.1f, -0.4f, 0.6f, -0.05f, 0.3f, -0.2f, 0.2f});
  auto q = lq({{"granularity", "layer"}, {"v", 0.4}}, w);
  q->eval();
  auto t = q->decompose(w);
  CHECK(codes_of(t[0].codes) == std::vector<int>{0, -1, 1, 0, 1, -1, 0});
  CHECK(t[0].threshold_hi.item<float>() == 0.2f);
  require_close(q->forward(w), {0, -0.4, 0.4, 0, 0.4, -0.4, 0});
  CHECK(level_of(*q) == Approx(0.4));  // eval mode: v is not refitted
}

// Kept weights 0.4, 0.6, 0.3, 0.2 (T W = |W|), 4 codes: v_new = (1.5 + 1e-4 * 0.4) / (4 + 1e-4)
// = 0.375000625; v = 0.9 * 0.4 + 0.1 * v_new = 0.3975000625. The output uses v before the update.
TEST_CASE("lqnet_ternary: a training forward refits v (least squares + moving average)",
          "[lqnet_ternary]") {
  auto w = vec({0.1f, -0.4f, 0.6f, -0.05f, 0.3f, -0.2f, 0.2f});
  auto q = lq({{"granularity", "layer"}, {"v", 0.4}}, w);
  q->train();
  require_close(q->forward(w), {0, -0.4, 0.4, 0, 0.4, -0.4, 0});
  CHECK(level_of(*q) == Approx(0.3975000625).epsilon(1e-6));
}

// Per output channel, momentum 0 and eps 0: v is the plain least-squares fit of each row.
// v = 0.2 -> thresholds +-0.1. Row 0: codes 1 -1 1, v = (0.3 + 0.1 + 0.5) / 3 = 0.3.
// Row 1: codes 0 -1 0, v = 0.2 / 1 = 0.2.
TEST_CASE("lqnet_ternary: one level per output channel", "[lqnet_ternary]") {
  auto w = torch::tensor({0.3f, -0.1f, 0.5f, 0.05f, -0.2f, 0.0f}).reshape({2, 3});
  auto q = lq({{"v", 0.2}, {"momentum", 0.0}, {"eps", 0.0}}, w);
  CHECK(codes_of(q->decompose(w)[0].codes) == std::vector<int>{1, -1, 1, 0, -1, 0});
  q->train();
  q->forward(w);
  require_close(q->decompose(w)[0].scale_pos, {0.3, 0.2});
  // New thresholds +-0.15 / +-0.1: row 0 keeps 0.3 and 0.5 and drops -0.1.
  CHECK(codes_of(q->decompose(w)[0].codes) == std::vector<int>{1, 0, 1, 0, -1, 0});
}

// Rows with mean 0 and population std 1 and 2: v = 0.5 * std.
TEST_CASE("lqnet_ternary: init v = init_scale * std(W) per channel", "[lqnet_ternary]") {
  auto w = torch::tensor({1.f, -1.f, 1.f, -1.f, 2.f, 2.f, -2.f, -2.f}).reshape({2, 4});
  auto q = lq({{"init_scale", 0.5}}, w);
  require_close(q->decompose(w)[0].scale_pos, {0.5, 1.0});
  auto layer = lq({{"init_scale", 0.5}, {"granularity", "layer"}}, w);  // std of all 8 = sqrt(2.5)
  require_close(layer->decompose(w)[0].scale_pos, {0.5 * std::sqrt(2.5)});
}

TEST_CASE("lqnet_ternary: identity STE, no gradient to v", "[lqnet_ternary]") {
  auto w = vec({0.1f, -0.4f, 0.6f, -0.05f}).requires_grad_(true);
  auto q = lq({{"granularity", "layer"}, {"v", 0.4}}, w);
  q->forward(w).backward(vec({1, 2, 3, 4}));
  require_close(w.grad(), {1, 2, 3, 4});
  CHECK(q->parameters().empty());
  CHECK(q->buffers().size() == 1);  // the level, saved with the model
}

TEST_CASE("lqnet_ternary: training policy and errors", "[lqnet_ternary]") {
  const auto& policy = find_ternarizer("lqnet_ternary").policy;
  CHECK(policy.reinit_after_loading_weights);
  CHECK(policy.passes_per_step == 1);
  CHECK(has_own_state(find_ternarizer("lqnet_ternary")));  // the level buffer
  CHECK_THROWS_WITH(make_ternarizer({"lqnet_ternary", {}})->forward(vec({1, 2})),
                    Catch::Contains("init_from_weight"));
  CHECK_THROWS_WITH(make_ternarizer({"lqnet_ternary", {{"momentum", 1.5}}}),
                    Catch::Contains("quantizer.params.momentum"));
  CHECK_THROWS_WITH(make_ternarizer({"lqnet_ternary", {{"granularity", "row"}}}),
                    Catch::Contains("out_channel"));
}
