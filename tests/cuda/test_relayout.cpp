// tg16 re-layout (pack.hpp -> GPU layout) on the host: runs everywhere, GPU or not.
#include "tnn/kernels/cuda.hpp"
#include "tnn/kernels/pack.hpp"

#include <catch2/catch.hpp>

#include <random>

namespace cu = tnn::kernels::cuda;

TEST_CASE("tg16 row length is a multiple of 4 words", "[cuda-host]") {
  CHECK(cu::tg16_ld_words(1) == 4);
  CHECK(cu::tg16_ld_words(64) == 4);
  CHECK(cu::tg16_ld_words(65) == 8);
  CHECK(cu::tg16_ld_words(4096) == 256);
  CHECK(cu::tg16_ld_words(4097) == 260);
}

TEST_CASE("tg16 re-layout round-trips and places codes as documented", "[cuda-host]") {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> d(-1, 1);
  for (int cols : {1, 3, 15, 16, 17, 64, 65, 100, 1000}) {
    const int rows = 7;
    std::vector<int8_t> codes(size_t(rows) * cols);
    for (auto& c : codes) c = int8_t(d(rng));
    const auto packed = tnn::kernels::pack_ternary(codes.data(), rows, cols);
    const auto m = cu::relayout_tg16(packed.data(), rows, cols);
    REQUIRE(m.ld_words == cu::tg16_ld_words(cols));
    REQUIRE(m.words.size() == size_t(rows) * m.ld_words);
    CHECK(cu::decode_tg16(m) == codes);
    for (int r = 0; r < rows; ++r)
      for (int k = 0; k < m.ld_words * 16; ++k) {
        const uint32_t word = m.words[size_t(r) * m.ld_words + k / 16];
        const int i = k % 16, shift = 8 * (i % 4) + 2 * (i / 4);
        const int u = int((word >> shift) & 3u);
        const int want = k < cols ? codes[size_t(r) * cols + k] + 1 : 1;  // padding: u = 1
        if (u != want) FAIL("row " << r << " k " << k << ": u " << u << " want " << want);
      }
  }
}

TEST_CASE("tg16 re-layout rejects the invalid code 0b11", "[cuda-host]") {
  const uint8_t packed[1] = {0b11};
  CHECK_THROWS_AS(cu::relayout_tg16(packed, 1, 1), std::invalid_argument);
}
