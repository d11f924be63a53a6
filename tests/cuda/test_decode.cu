// The decode bit tricks (kernels/cuda/decode.cuh) run on the host here, so a machine without a
// GPU still checks that every helper turns each tg16 code into the right weight.
#include "decode.cuh"

#include <catch2/catch.hpp>

#include <cstring>
#include <random>

namespace d = tnn::kernels::cuda::detail;

namespace {
// A word with codes u[i] at the documented positions.
uint32_t make_word(const int (&u)[16]) {
  uint32_t w = 0;
  for (int i = 0; i < 16; ++i) w |= uint32_t(u[i]) << (8 * (i % 4) + 2 * (i / 4));
  return w;
}
float half_bits_to_float(uint32_t h16) {
  return __half2float(__ushort_as_half(uint16_t(h16)));
}
}  // namespace

TEST_CASE("decode helpers give w = u - 1 for every element", "[cuda-host]") {
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> d3(0, 2);
  for (int trial = 0; trial < 2000; ++trial) {
    int u[16];
    for (int& v : u) v = d3(rng);
    if (trial == 0)
      for (int& v : u) v = 1;  // the zero word
    const uint32_t w = make_word(u);
    if (trial == 0) REQUIRE(w == d::kZeroWord);
    for (int i = 0; i < 16; ++i) REQUIRE(d::weight_f32(w, i) == float(u[i] - 1));
    for (int j = 0; j < 4; ++j) {
      const uint32_t cu = d::codes_u8x4(w, j), s8 = d::weights_s8x4(w, j);
      uint32_t lo, hi;
      d::weights_f16x4(w, j, lo, hi);
      const uint32_t h[4] = {lo & 0xFFFF, lo >> 16, hi & 0xFFFF, hi >> 16};
      for (int b = 0; b < 4; ++b) {
        const int want = u[4 * j + b] - 1;
        REQUIRE(int((cu >> (8 * b)) & 0xFF) == want + 1);
        REQUIRE(int(int8_t((s8 >> (8 * b)) & 0xFF)) == want);
        REQUIRE(half_bits_to_float(h[b]) == float(want));
      }
      for (int b = 0; b < 2; ++b) {
        const __half2 p = d::weights_f16x2(w, j, b);
        REQUIRE(__low2float(p) == float(u[4 * j + b] - 1));
        REQUIRE(__high2float(p) == float(u[4 * j + b + 2] - 1));
      }
    }
  }
}

TEST_CASE("byte_perm picks bytes like PRMT", "[cuda-host]") {
  const uint32_t a = 0x33221100u, b = 0x77665544u;
  CHECK(d::byte_perm(a, b, 0x5410) == 0x55441100u);
  CHECK(d::byte_perm(a, b, 0x7632) == 0x77663322u);
  CHECK(d::byte_perm(a, b, 0x3210) == a);
  CHECK(d::byte_perm(a, b, 0x7654) == b);
}
