// Tiled ternary GEMM kernels (FP32 CUDA cores, FP16 and int8 tensor cores) against the CPU
// reference. M crosses the 16-row and 64-row tiles, N the 32/64-column tiles, K the 64-wide
// chunk; M = 1 goes through gemm() to the GEMV path; one shape passes the old grid.y limit.
#include "runners.hpp"

#include <catch2/catch.hpp>

using tnn::test::Act;
using tnn::test::GemmCase;

TEST_CASE("gemm matches the reference on small integers", "[gpu][gemm]") {
  const int ms[] = {1, 2, 15, 16, 17, 64, 65, 130};
  const int nks[][2] = {{1, 1}, {31, 17}, {64, 64}, {65, 100}, {96, 1000}, {130, 4096}};
  for (Act act : {Act::f32, Act::f16, Act::s8})
    for (int m : ms)
      for (const auto& nk : nks) {
        GemmCase c;
        c.m = m, c.n = nk[0], c.k = nk[1], c.per_channel = (m + nk[0]) % 2 == 0;
        tnn::test::check_gemm(act, c, uint32_t(m * 7919 + nk[0] * 31 + nk[1]));
      }
}

TEST_CASE("gemm handles 0 % and 100 % zero codes", "[gpu][gemm]") {
  for (Act act : {Act::f32, Act::f16, Act::s8})
    for (double z : {0.0, 1.0}) {
      GemmCase c;
      c.m = 40, c.n = 70, c.k = 333, c.zero_frac = z;
      tnn::test::check_gemm(act, c, 5);
    }
}

TEST_CASE("gemm is within rounding of the reference on real inputs", "[gpu][gemm]") {
  for (Act act : {Act::f32, Act::f16, Act::s8})
    for (int m : {16, 128}) {
      GemmCase c;
      c.m = m, c.n = 256, c.k = 4096, c.exact = false;
      tnn::test::check_gemm(act, c, 13);
    }
}

// M = 65535 * 64 + 100 rows: more 64-row tiles than grid.y allows (the M tiles go on grid.x).
TEST_CASE("gemm runs M past the 65535-tile grid.y limit", "[gpu][gemm][large]") {
  for (Act act : {Act::f32, Act::f16, Act::s8}) {
    GemmCase c;
    c.m = 65535 * 64 + 100, c.n = 3, c.k = 16;
    tnn::test::check_gemm(act, c, 17);
  }
}
