// The CUDA kernels' index arithmetic that is worth checking without a GPU: the tiled kernels'
// launch grid, which thread loads which part of a tile, the int8 tiles' padded slices and the
// GEMV activation staging. Plain C++ (host and device), so tests/cuda/test_tiling.cpp checks
// with the host compiler that every element is loaded once and that the shared-memory accesses
// are free of bank conflicts; the kernels use exactly these functions.
#pragma once

#include <vector_types.h>  // dim3

#include <limits>
#include <stdexcept>
#include <string>

#ifdef __CUDACC__
#define TNN_MAP_FN __host__ __device__ __forceinline__
#else
#define TNN_MAP_FN inline
#endif

namespace tnn::kernels::cuda::detail {

constexpr int kBK = 64;  // K chunk of the tiled kernels: one 16-byte load (4 tg16 words) per row

// Grid of a tiled launch. M tiles go on grid.x (up to 2^31 - 1 blocks): a batch-128 conv at
// 224^2 has M = 6.4 M rows, past the 65535 x 64 that grid.y allows. N tiles (output channels)
// go on grid.y, which caps N at 65535 tiles; more is refused with a clear error.
inline dim3 tile_grid(int m, int n, int bm, int bn) {
  if (m <= 0 || n <= 0) throw std::invalid_argument("cuda gemm: empty shape");
  const long long m_tiles = (static_cast<long long>(m) + bm - 1) / bm;
  const long long n_tiles = (static_cast<long long>(n) + bn - 1) / bn;
  if (n_tiles > 65535)
    throw std::invalid_argument("cuda gemm: N = " + std::to_string(n) + " needs " +
                                std::to_string(n_tiles) + " column tiles of " + std::to_string(bn) +
                                ", more than grid.y allows (65535)");
  if (m > std::numeric_limits<int>::max() - bm)  // keeps blockIdx.x * bm + bm within int
    throw std::invalid_argument("cuda gemm: M = " + std::to_string(m) + " is too large");
  return dim3(static_cast<unsigned>(m_tiles), static_cast<unsigned>(n_tiles));
}

// ---- FP32 tiles (gemm_f32.cuh): 64 x 64 outputs, 256 threads --------------------------------
constexpr int kF32BM = 64, kF32BN = 64, kF32Threads = 256;
constexpr int kF32LdA = kF32BM + 4, kF32LdB = kF32BN + 4;  // floats; +4 keeps float4 alignment

// Which element of a tile load `idx` (0 .. 1023 for A, 0 .. 255 for B) a thread takes.
struct TileSlot {
  int row, col;  // col: 4-float chunk (A) or tg16 word (B) of the 64-wide K chunk
};
// A: 64 rows x 16 chunks. A warp takes 16 rows x 2 neighbouring chunks, so each row gives one
// whole 32-byte sector (not 32 rows x 16 B), and its transposed stores as[4 col + j][row] hit 32
// distinct banks (kF32LdA = 68, and 4 * 68 = 16 mod 32 banks).
TNN_MAP_FN TileSlot f32_a_slot(int idx) {
  return {idx % 16 + 16 * ((idx / 32) % 4), (idx / 16) % 2 + 2 * (idx / 128)};
}
// B: 64 rows x 4 words. A warp takes 32 rows of one word, so its stores bs[16 col + i][row] hit
// 32 distinct banks (lanes that share a row but not a word used to collide 4 ways). The word
// loads scatter over 32 rows instead, but a weight tile is 16x smaller than the A tile.
TNN_MAP_FN TileSlot f32_b_slot(int idx) {
  return {idx % kF32BN, idx / kF32BN};
}
static_assert(kF32BM == 64 && kF32BN == 64 && kBK == 64, "the slot maps assume 64 x 64 x 64 tiles");

// ---- int8 tiles (gemm_s8_tc.cuh) -------------------------------------------------------------
// A tile is stored as kBK / 16 slices of rows x 16 bytes. Each slice is followed by 32 bytes of
// padding, so the 4 slices a quarter warp stores into start in different banks (without the pad
// their stores collide 4 ways); 32 keeps every wmma fragment pointer 256-bit aligned.
constexpr int s8_slice_bytes(int rows) {
  return rows * 16 + 32;
}

// ---- GEMV activation staging (gemv_common.cuh) -----------------------------------------------
// In block step `it` lane L works on weight chunk v = 32 it + L, i.e. activations
// k = 64 v .. 64 v + 63. The block copies the step's 2048 activations into shared memory with
// coalesced 16-byte loads, one row of 64 per lane, and each lane then reads its row. Rows are
// padded by 16 bytes so that the 8 lanes of a quarter warp, reading the same column of 8
// consecutive rows, hit 8 different 16-byte bank groups.
constexpr int kGemvChunk = 64;                   // activations per lane and step
constexpr int kGemvStepElems = 32 * kGemvChunk;  // activations per block step

template <typename T>
struct XStage {
  static constexpr int kVec = 16 / int(sizeof(T));       // elements per 16-byte copy
  static constexpr int kCopies = kGemvStepElems / kVec;  // 16-byte copies per step
  static constexpr int kRowBytes = kGemvChunk * int(sizeof(T)) + 16;
  static constexpr int kBytes = 32 * kRowBytes;  // one buffer
  // Copy u covers activations u * kVec .. + kVec - 1 of the step: lane row u * kVec / 64.
  TNN_MAP_FN static int copy_offset(int u) {
    const int e = u * kVec;
    return (e / kGemvChunk) * kRowBytes + (e % kGemvChunk) * int(sizeof(T));
  }
  // Byte offset of activation j (0 .. 63) of lane L's row.
  TNN_MAP_FN static int read_offset(int lane, int j) {
    return lane * kRowBytes + j * int(sizeof(T));
  }
};

}  // namespace tnn::kernels::cuda::detail
