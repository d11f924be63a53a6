// 2-bit packing round trips and the compression arithmetic (16X for one term, 8X for two).
#include <catch2/catch.hpp>

#include "tnn/kernels/measures.hpp"
#include "tnn/kernels/pack.hpp"

#include <random>

using namespace tnn::kernels;

TEST_CASE("pack: documented bit layout", "[pack]") {
  // codes +1, -1, 0, +1 -> bits 01, 10, 00, 01 from the low end: 0b01'00'10'01 = 0x49
  const int8_t codes[] = {1, -1, 0, 1, -1};
  auto p = pack_ternary(codes, 1, 5);
  REQUIRE(p.size() == 2);
  CHECK(p[0] == 0x49);
  CHECK(p[1] == 0x02);  // -1 in the low bits, padding zeros after it
}

TEST_CASE("pack: round trip on random sizes", "[pack]") {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> code(-1, 1), dim(1, 67);
  for (int trial = 0; trial < 200; ++trial) {
    size_t rows = size_t(dim(rng)), cols = size_t(dim(rng));
    std::vector<int8_t> codes(rows * cols);
    for (auto& c : codes) c = int8_t(code(rng));
    auto packed = pack_ternary(codes.data(), rows, cols);
    CHECK(packed.size() == rows * packed_row_bytes(cols));
    CHECK(unpack_ternary(packed.data(), rows, cols) == codes);
  }
}

TEST_CASE("pack: invalid codes are rejected", "[pack]") {
  const int8_t bad[] = {0, 2};
  CHECK_THROWS_WITH(pack_ternary(bad, 1, 2), Catch::Contains("col 1"));
  const uint8_t invalid[] = {0b11};
  CHECK_THROWS_WITH(unpack_ternary(invalid, 1, 1), Catch::Contains("0b11"));
}

TEST_CASE("footprint: exact bits per weight and compression", "[pack]") {
  LayerFootprint one{"conv", 1 << 20, 1, 1, 0};
  CHECK(one.weight_bits() == 2 * (1 << 20) + 32);
  CHECK(one.bits_per_weight() == Approx(2.0 + 32.0 / (1 << 20)));
  CHECK(one.compression() == Approx(16.0).epsilon(1e-4));
  LayerFootprint two{"conv", 1 << 20, 2, 1, 0};
  CHECK(two.compression() == Approx(8.0).epsilon(1e-4));
  // 64x3x3x3 with one scale: (2*1728 + 32) bits.
  LayerFootprint small{"stem", 1728, 1, 1, 0};
  CHECK(small.compression() == Approx(32.0 * 1728 / (2 * 1728 + 32)));
  LayerFootprint fp{"fc", 640, 0, 0, 10};
  CHECK(fp.compression() == Approx(1.0));
  auto m = sum_footprints({one, fp});
  CHECK(m.weights == (1 << 20) + 640);
  CHECK(m.weight_bits == one.weight_bits() + 32 * 640);
  CHECK(m.total_compression() < m.weight_compression());
}
