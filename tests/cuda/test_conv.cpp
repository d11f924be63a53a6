// Ternary 3x3 convolutions (implicit GEMM over NHWC) against the CPU reference: stride 1 and 2,
// odd sizes, batch 1 and > 1, channel counts that take the 16-byte gather (16, 32, 64) and the
// element-wise one (3, 20), and the ResNet-20 layer shapes at batch 1.
#include "runners.hpp"

#include <catch2/catch.hpp>

using tnn::kernels::cuda::Conv3x3Shape;
using tnn::test::Act;
using tnn::test::ConvCase;

namespace {
Conv3x3Shape shape(int n, int h, int w, int c, int k, int stride) {
  Conv3x3Shape s;
  s.n = n, s.h = h, s.w = w, s.c = c, s.k = k, s.stride = stride;
  return s;
}
}  // namespace

TEST_CASE("conv3x3 matches the reference on small integers", "[gpu][conv]") {
  const Conv3x3Shape shapes[] = {
      shape(1, 5, 7, 3, 5, 1),     shape(2, 6, 5, 20, 7, 2),    shape(2, 8, 8, 16, 16, 1),
      shape(1, 9, 9, 16, 32, 2),   shape(3, 8, 8, 64, 64, 1),   shape(1, 1, 1, 16, 16, 1),
      shape(1, 32, 32, 16, 16, 1), shape(1, 32, 32, 16, 32, 2), shape(1, 16, 16, 32, 32, 1),
      shape(1, 16, 16, 32, 64, 2), shape(1, 8, 8, 64, 64, 1),   shape(1, 32, 32, 3, 16, 1)};
  uint32_t seed = 1;
  for (Act act : {Act::f32, Act::f16, Act::s8})
    for (const auto& s : shapes) {
      ConvCase c;
      c.shape = s, c.per_channel = seed % 2 == 0;
      tnn::test::check_conv(act, c, seed++);
    }
}

TEST_CASE("conv3x3 is within rounding of the reference on real inputs", "[gpu][conv]") {
  for (Act act : {Act::f32, Act::f16, Act::s8}) {
    ConvCase c;
    c.shape = shape(4, 16, 16, 32, 64, 2), c.exact = false;
    tnn::test::check_conv(act, c, 3);
  }
}

TEST_CASE("conv3x3 rejects mismatched weights", "[gpu][conv]") {
  tnn::kernels::cuda::TernaryMatrix w;
  w.rows = 16, w.cols = 9 * 8;
  float x[4] = {}, y[4] = {};
  CHECK_THROWS_AS(tnn::kernels::cuda::conv3x3(w, shape(1, 4, 4, 16, 16, 1), x, y, nullptr),
                  std::invalid_argument);
}

// M = n * oh * ow = 4100 * 32 * 32 = 4.2 M output pixels: more 64-row tiles than grid.y allows.
TEST_CASE("conv3x3 runs M past the 65535-tile grid.y limit", "[gpu][conv][large]") {
  ConvCase c;
  c.shape = shape(4100, 32, 32, 4, 4, 1);
  tnn::test::check_conv(Act::f32, c, 19);
}
