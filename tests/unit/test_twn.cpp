// TWN: hand-computed values for the paper (layer, 0.7) and official-code (out-channel, 0.75)
// variants.
#include "test_helpers.hpp"
#include "tnn/ternarize.hpp"

using namespace tnn;
using tnn::test::codes_of;
using tnn::test::require_close;
using tnn::test::vec;

// mean|W| = 2.2 / 6; Delta = 0.7 * 0.36667 = 0.25667; kept 0.9, 0.6, 0.4 -> alpha = 1.9 / 3.
TEST_CASE("twn: paper variant - one Delta and alpha per layer", "[twn]") {
  auto w = vec({0.9f, -0.6f, 0.2f, -0.1f, 0.0f, 0.4f});
  auto q = make_ternarizer({"twn", {}});
  auto t = q->decompose(w);
  CHECK(codes_of(t[0].codes) == std::vector<int>{1, -1, 0, 0, 0, 1});
  CHECK(t[0].threshold_hi.item<double>() == Approx(0.7 * 2.2 / 6).epsilon(1e-6));
  CHECK(t[0].scale_pos.item<double>() == Approx(1.9 / 3).epsilon(1e-6));
  require_close(q->forward(w), {1.9 / 3, -1.9 / 3, 0, 0, 0, 1.9 / 3});
}

// Binary-exact values: mean|W| = 1, factor 0.75 -> Delta = 0.75 exactly; |W| = Delta is zeroed.
TEST_CASE("twn: threshold is strict (|W| > Delta)", "[twn]") {
  auto w = vec({2.5f, -0.75f, 0.75f, 0.0f});
  auto t = make_ternarizer({"twn", {{"factor", 0.75}}})->decompose(w);
  CHECK(t[0].threshold_hi.item<float>() == 0.75f);
  CHECK(codes_of(t[0].codes) == std::vector<int>{1, 0, 0, 0});
  CHECK(t[0].scale_pos.item<float>() == 2.5f);
}

// row 0: mean 1, Delta 0.75 -> codes 1 0 0 0, alpha 2.5; row 1: mean 0.75, Delta 0.5625 ->
// codes 1 -1 0 0, alpha 1.
TEST_CASE("twn: official-code variant - Delta and alpha per output channel", "[twn]") {
  auto w = torch::tensor({2.5f, -0.75f, 0.75f, 0.0f, 1.0f, -1.0f, 0.5f, -0.5f}).reshape({2, 4});
  auto q = make_ternarizer({"twn", {{"factor", 0.75}, {"granularity", "out_channel"}}});
  auto t = q->decompose(w);
  CHECK(codes_of(t[0].codes) == std::vector<int>{1, 0, 0, 0, 1, -1, 0, 0});
  require_close(t[0].scale_pos, {2.5, 1.0});
  require_close(t[0].threshold_hi, {0.75, 0.5625});
  require_close(q->forward(w), {2.5, 0, 0, 0, 1, -1, 0, 0});
}

TEST_CASE("twn: identity STE", "[twn][grad]") {
  auto w = vec({0.9f, -0.6f, 0.2f, 1.5f}).requires_grad_(true);
  make_ternarizer({"twn", {}})->forward(w).backward(vec({1, 2, 3, 4}));
  CHECK(codes_of(w.grad()) == std::vector<int>{1, 2, 3, 4});
}
