// TTQ: hand-computed forward, the W_p / W_n gradients and the scaled weight gradient.
#include "test_helpers.hpp"
#include "tnn/ternarize.hpp"

using namespace tnn;
using tnn::test::codes_of;
using tnn::test::require_close;
using tnn::test::vec;

// max|W| = 1, t = 0.05 -> Delta = 0.05f; +-0.05f are zeroed (strict), as is 0.04.
TEST_CASE("ttq: forward with learned levels - ties at +-Delta", "[ttq]") {
  auto w = vec({1.0f, -0.5f, 0.05f, -0.05f, 0.04f, 0.2f});
  auto q = make_ternarizer({"ttq", {{"wp", 2.0}, {"wn", 3.0}}});
  auto t = q->decompose(w);
  CHECK(codes_of(t[0].codes) == std::vector<int>{1, -1, 0, 0, 0, 1});
  CHECK(t[0].scale_pos.item<float>() == 2.0f);
  CHECK(t[0].scale_neg.item<float>() == 3.0f);
  require_close(q->forward(w), {2, -3, 0, 0, 0, 2});
}

TEST_CASE("ttq: gradients of W_p - W_n and the latent weights", "[ttq][grad]") {
  auto w = vec({1.0f, -0.5f, 0.05f, -0.05f, 0.04f, 0.2f}).requires_grad_(true);
  auto q = make_ternarizer({"ttq", {{"wp", 2.0}, {"wn", 3.0}}});
  q->forward(w).backward(vec({1, 2, 3, 4, 5, 6}));
  auto params = q->named_parameters();
  // dL/dW_p = sum over W > Delta of g = 1 + 6; dL/dW_n = -(sum over W < -Delta of g) = -2.
  CHECK(params["wp"].grad().item<float>() == 7.0f);
  CHECK(params["wn"].grad().item<float>() == -2.0f);
  // dL/dW = W_p g (positive), g (zero), W_n g (negative).
  CHECK(codes_of(w.grad()) == std::vector<int>{2, 6, 3, 4, 5, 12});
}

TEST_CASE("ttq: default levels are 1.0 and are trainable parameters", "[ttq]") {
  auto q = make_ternarizer({"ttq", {}});
  auto params = q->named_parameters();
  REQUIRE(params.size() == 2);
  CHECK(params["wp"].item<float>() == 1.0f);
  CHECK(params["wn"].item<float>() == 1.0f);
  CHECK(q->has_own_parameters());
}
