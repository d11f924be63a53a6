// Reference kernels against hand-computed values (the oracle needs its own check).
#include <catch2/catch.hpp>

#include "kernel_test_util.hpp"
#include "tnn/kernels/quant.hpp"
#include "tnn/kernels/ref.hpp"

using namespace tnn::kernels;
using namespace tnn::kernels::testing;

TEST_CASE("ref: ternary GEMV by hand, asymmetric per-channel scales", "[ref]") {
  // rows: [+1 -1 0], [0 +1 +1]; x = [1, 2, 4]
  const int8_t codes[] = {1, -1, 0, 0, 1, 1};
  const float sp[] = {2.0f, 0.5f}, sn[] = {3.0f, 0.5f};
  ref::TernaryView w{codes, 2, 3, sp, sn, true};
  const float x[] = {1, 2, 4};
  float y[2];
  ref::gemv(w, x, y);
  CHECK(y[0] == 2.0f * 1 - 3.0f * 2);
  CHECK(y[1] == 0.5f * (2 + 4));
}

TEST_CASE("ref: W2A8 GEMV subtracts the zero point", "[ref]") {
  const int8_t codes[] = {1, -1, 1};
  const float s[] = {1.0f};
  ref::TernaryView w{codes, 1, 3, s, s, false};
  const uint8_t xq[] = {130, 120, 128};  // real: 2, -8, 0 (times 0.5)
  float y[1];
  ref::gemv_w2a8(w, xq, QuantParams{0.5f, 128}, y);
  CHECK(y[0] == 0.5f * (2 + 8 + 0));
}

TEST_CASE("ref: 3x3 conv with padding by hand", "[ref]") {
  // 1 channel 2x2 input, one output channel, all +1 weights, pad 1: each output = sum of the
  // inputs in its 3x3 window = all four values.
  ConvShape s;
  s.h = s.w = 2;
  s.c = s.k = 1;
  std::vector<int8_t> codes(9, 1);
  const float one = 1.0f;
  ref::TernaryView w{codes.data(), 1, 9, &one, &one, false};
  const float x[] = {1, 2, 3, 4};
  float y[4];
  ref::conv2d(s, x, w, y);
  for (float v : y) CHECK(v == 10.0f);
  // Centre tap only -> identity.
  std::fill(codes.begin(), codes.end(), int8_t(0));
  codes[4] = 1;
  ref::conv2d(s, x, w, y);
  for (int i = 0; i < 4; ++i) CHECK(y[i] == x[i]);
}

TEST_CASE("ref: ternary conv equals dense conv on the expanded weights", "[ref]") {
  std::mt19937 rng(7);
  ConvShape s;
  s.n = 2, s.h = 5, s.w = 6, s.c = 3, s.k = 4, s.stride = 2;
  auto w = random_ternary(s.k, s.patch(), {0.3, 2, true, true}, rng);
  auto x = small_int_floats(s.n * s.h * s.w * s.c, 8, rng);
  std::vector<float> a(size_t(s.n * s.oh() * s.ow() * s.k)), b(a.size());
  ref::conv2d(s, x.data(), w, a.data());
  ref::conv2d_dense(s, x.data(), w.dense().data(), b.data());
  CHECK(count_mismatches(a, b) == 0);
}

TEST_CASE("quant: per-tensor parameters and round trip", "[ref]") {
  auto relu = choose_quant_params(0.0f, 51.0f);
  CHECK(relu.zero_point == 0);
  CHECK(relu.scale == Approx(0.2f));
  auto sym = choose_quant_params(-12.7f, 3.0f);
  CHECK(sym.zero_point == 128);
  CHECK(sym.scale == Approx(0.1f));
  CHECK(quantize_one(1000.0f, sym) == 255);
  CHECK(quantize_one(-1000.0f, sym) == 0);
  CHECK(quantize_one(0.0f, sym) == 128);
  CHECK(quantize_one(0.25f, QuantParams{0.5f, 0}) == 0);  // ties to even
  CHECK(quantize_one(0.75f, QuantParams{0.5f, 0}) == 2);
}
