// Ternary GEMV kernels (FP32, FP16, int8 activations) against the CPU reference: exact on
// small-integer inputs, within a rounding bound on real ones. Shapes cover K below, at and
// past the 16-code word and the 64-code chunk, rows not a multiple of the warp's 4, all-zero
// rows, and 0 % / 100 % zero codes.
#include "runners.hpp"

#include <catch2/catch.hpp>

using tnn::test::Act;
using tnn::test::GemmCase;

namespace {
const int kShapes[][2] = {{1, 1},     {7, 3},      {5, 15},    {9, 16},    {13, 17},
                          {33, 63},   {64, 64},    {65, 65},   {130, 100}, {257, 1000},
                          {64, 4096}, {129, 4115}, {300, 2048}};
}

TEST_CASE("gemv matches the reference on small integers", "[gpu][gemv]") {
  for (Act act : {Act::f32, Act::f16, Act::s8})
    for (const auto& nk : kShapes)
      for (bool pc : {true, false}) {
        GemmCase c;
        c.m = 1, c.n = nk[0], c.k = nk[1], c.per_channel = pc, c.via_gemv = true;
        tnn::test::check_gemm(act, c, uint32_t(nk[0] * 131 + nk[1]));
      }
}

TEST_CASE("gemv handles 0 % and 100 % zero codes", "[gpu][gemv]") {
  for (Act act : {Act::f32, Act::f16, Act::s8})
    for (double z : {0.0, 1.0}) {
      GemmCase c;
      c.m = 1, c.n = 70, c.k = 333, c.zero_frac = z, c.via_gemv = true;
      tnn::test::check_gemm(act, c, 7);
    }
}

TEST_CASE("gemv is within rounding of the reference on real inputs", "[gpu][gemv]") {
  for (Act act : {Act::f32, Act::f16, Act::s8})
    for (const auto& nk : {std::pair{96, 4096}, std::pair{37, 1001}}) {
      GemmCase c;
      c.m = 1, c.n = nk.first, c.k = nk.second, c.exact = false, c.via_gemv = true;
      tnn::test::check_gemm(act, c, 11);
    }
}

TEST_CASE("gemv rejects bad arguments", "[gpu][gemv]") {
  tnn::kernels::cuda::TernaryMatrix w;  // empty
  float x[4] = {}, y[4] = {};
  CHECK_THROWS_AS(tnn::kernels::cuda::gemv(w, x, y, nullptr), std::invalid_argument);
}
