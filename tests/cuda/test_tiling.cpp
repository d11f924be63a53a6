// Host checks of the kernels' index maps (index_maps.hpp, no GPU needed): the launch grid past
// the old grid.y limit, which thread loads what into shared memory, and that those shared-memory
// accesses are free of bank conflicts. The GPU tests then check the results themselves.
#include "index_maps.hpp"

#include <cuda_fp16.h>
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <vector>

namespace d = tnn::kernels::cuda::detail;

namespace {

// Shared memory serves 32 banks of 4 bytes. 32-bit accesses: a warp needs as many passes as the
// most distinct addresses that share one bank.
int ways_32bit(const std::vector<int>& byte_addr) {
  std::map<int, std::set<int>> bank;
  for (int a : byte_addr) bank[(a / 4) % 32].insert(a);
  size_t most = 0;
  for (const auto& b : bank) most = std::max(most, b.second.size());
  return int(most);
}

// 128-bit accesses go one quarter warp (8 lanes) at a time; within it, distinct addresses in the
// same 16-byte bank group (4 banks) conflict. Returns the worst quarter.
int ways_128bit(const std::vector<int>& byte_addr) {
  int worst = 0;
  for (size_t q = 0; q < byte_addr.size(); q += 8) {
    std::map<int, std::set<int>> group;
    for (size_t l = q; l < q + 8 && l < byte_addr.size(); ++l)
      group[(byte_addr[l] / 16) % 8].insert(byte_addr[l]);
    for (const auto& g : group) worst = std::max(worst, int(g.second.size()));
  }
  return worst;
}

}  // namespace

TEST_CASE("tile_grid puts M tiles on grid.x, past the 65535 limit of grid.y", "[cuda-host]") {
  const int m = 65535 * 64 + 1;  // one row past what M on grid.y allowed
  const dim3 g = d::tile_grid(m, 100, 64, 64);
  CHECK(g.x == 65536u);
  CHECK(g.y == 2u);
  CHECK(g.z == 1u);
  const dim3 conv = d::tile_grid(128 * 224 * 224, 64, 64, 64);  // batch-128 conv at 224^2
  CHECK(conv.x == 100352u);
  CHECK(d::tile_grid(1, 1, 16, 32).x == 1u);
  CHECK(d::tile_grid(16, 33, 16, 32).y == 2u);
  CHECK_THROWS_AS(d::tile_grid(10, 65535 * 64 + 1, 64, 64), std::invalid_argument);
  CHECK_THROWS_AS(d::tile_grid(0, 10, 64, 64), std::invalid_argument);
  CHECK_NOTHROW(d::tile_grid(10, 65535 * 64, 64, 64));
}

TEST_CASE("FP32 tile loads: every element once, whole sectors, no bank conflicts", "[cuda-host]") {
  constexpr int kAChunks = d::kBK / 4;  // 16 chunks of 4 floats per row
  std::set<std::pair<int, int>> a_seen, b_seen;
  for (int idx = 0; idx < d::kF32BM * kAChunks; ++idx) {
    const auto s = d::f32_a_slot(idx);
    REQUIRE(s.row >= 0);
    REQUIRE(s.row < d::kF32BM);
    REQUIRE(s.col >= 0);
    REQUIRE(s.col < kAChunks);
    a_seen.insert({s.row, s.col});
  }
  CHECK(a_seen.size() == size_t(d::kF32BM * kAChunks));
  for (int idx = 0; idx < d::kF32BN * 4; ++idx) {
    const auto s = d::f32_b_slot(idx);
    REQUIRE(s.row < d::kF32BN);
    REQUIRE(s.col < 4);
    b_seen.insert({s.row, s.col});
  }
  CHECK(b_seen.size() == size_t(d::kF32BN * 4));

  for (int warp0 = 0; warp0 < d::kF32BM * kAChunks; warp0 += 32) {
    // Global side: each row a warp touches gets two neighbouring chunks (one 32-byte sector).
    std::map<int, std::set<int>> chunks_of_row;
    for (int l = 0; l < 32; ++l) {
      const auto s = d::f32_a_slot(warp0 + l);
      chunks_of_row[s.row].insert(s.col);
    }
    CHECK(chunks_of_row.size() == 16);
    for (const auto& r : chunks_of_row) {
      REQUIRE(r.second.size() == 2);
      CHECK(*r.second.begin() % 2 == 0);
      CHECK(*r.second.rbegin() == *r.second.begin() + 1);
    }
    // Shared side: the transposed stores as[4 col + j][row].
    for (int j = 0; j < 4; ++j) {
      std::vector<int> addr;
      for (int l = 0; l < 32; ++l) {
        const auto s = d::f32_a_slot(warp0 + l);
        addr.push_back(((4 * s.col + j) * d::kF32LdA + s.row) * 4);
      }
      CHECK(ways_32bit(addr) == 1);
    }
  }
  for (int warp0 = 0; warp0 < d::kF32BN * 4; warp0 += 32)
    for (int i = 0; i < 16; ++i) {
      std::vector<int> addr;
      for (int l = 0; l < 32; ++l) {
        const auto s = d::f32_b_slot(warp0 + l);
        addr.push_back(((16 * s.col + i) * d::kF32LdB + s.row) * 4);
      }
      CHECK(ways_32bit(addr) == 1);
    }
}

TEST_CASE("int8 tensor-core tiles: padded slices, conflict-free stores", "[cuda-host]") {
  constexpr int kSlices = d::kBK / 16;
  for (int rows : {16, 32, 64}) {  // the tile heights and widths gemm_s8_tc.cuh uses
    const int slice = d::s8_slice_bytes(rows);
    CHECK(slice % 32 == 0);  // wmma fragment pointers stay 256-bit aligned
    // Thread idx stores a 16-byte chunk of row idx / 4, slice idx % 4.
    for (int warp0 = 0; warp0 < rows * kSlices; warp0 += 32) {
      std::vector<int> addr;
      for (int l = 0; l < 32 && warp0 + l < rows * kSlices; ++l) {
        const int idx = warp0 + l, r = idx / kSlices, s = idx % kSlices;
        addr.push_back(s * slice + r * 16);
      }
      CHECK(ways_128bit(addr) == 1);
    }
  }
}

template <typename T>
void check_gemv_staging(int max_write_ways) {
  using S = d::XStage<T>;
  const int esz = int(sizeof(T));
  // Every activation of the iteration lands once, at the place its lane reads it from.
  std::vector<int> where(d::kGemvStepElems, -1);
  for (int u = 0; u < S::kCopies; ++u)
    for (int i = 0; i < S::kVec; ++i) {
      const int e = u * S::kVec + i;
      REQUIRE(where[size_t(e)] == -1);
      where[size_t(e)] = S::copy_offset(u) + i * esz;
    }
  for (int lane = 0; lane < 32; ++lane)
    for (int j = 0; j < d::kGemvChunk; ++j)
      REQUIRE(S::read_offset(lane, j) == where[size_t(lane * d::kGemvChunk + j)]);
  CHECK(S::kRowBytes % 16 == 0);
  CHECK(S::read_offset(31, d::kGemvChunk - 1) + esz <= S::kBytes);
  // Reads: lane L loads 16 bytes of its row at the same column as the other lanes.
  for (int col = 0; col < d::kGemvChunk * esz; col += 16) {
    std::vector<int> addr;
    for (int lane = 0; lane < 32; ++lane) addr.push_back(S::read_offset(lane, 0) + col);
    CHECK(ways_128bit(addr) == 1);
  }
  // Writes: 32 consecutive copies per warp.
  int worst = 0;
  for (int warp0 = 0; warp0 < S::kCopies; warp0 += 32) {
    std::vector<int> addr;
    for (int l = 0; l < 32 && warp0 + l < S::kCopies; ++l)
      addr.push_back(S::copy_offset(warp0 + l));
    worst = std::max(worst, ways_128bit(addr));
  }
  CHECK(worst <= max_write_ways);
}

TEST_CASE("GEMV activation staging: right place, no bank conflicts on reads", "[cuda-host]") {
  check_gemv_staging<float>(1);
  check_gemv_staging<__half>(1);
  // int8 rows are 64 + 16 bytes: one quarter-warp store in four passes twice (documented).
  check_gemv_staging<int8_t>(2);
}
