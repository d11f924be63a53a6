// Shared pieces of the GEMV kernels: one warp computes kRows output rows; each lane streams
// 16-byte chunks (64 codes) of every row, so the kRows loads are in flight together, and reads
// the matching 64 activations from shared memory, where the block stages them (below) once for
// its 4 warps. Lanes' partial sums meet in a shuffle tree.
#pragma once

#include "decode.cuh"
#include "index_maps.hpp"
#include "tnn/kernels/cuda.hpp"

#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>

namespace tnn::kernels::cuda::detail {

constexpr int kGemvRows = 4;   // rows per warp
constexpr int kGemvWarps = 4;  // warps per block

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ __forceinline__ int warp_sum(int v) {
#pragma unroll
  for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// Row r of the warp's group; rows past the end re-read the last row (results are discarded), so
// the loads stay unconditional.
__device__ __forceinline__ const uint4* gemv_row(const TernaryMatrix& w, int row) {
  row = row < w.rows ? row : w.rows - 1;
  return reinterpret_cast<const uint4*>(w.words + size_t(row) * size_t(w.ld_words));
}

// Word q of a 16-byte chunk (q is a constant once the loops are unrolled).
__device__ __forceinline__ uint32_t word_of(const uint4& v, int q) {
  return q == 0 ? v.x : q == 1 ? v.y : q == 2 ? v.z : v.w;
}

// The block's threads copy activations [it * 2048, it * 2048 + 2048) of x (K = cols) into `buf`
// (the layout: XStage in index_maps.hpp); zero past K.
template <typename T>
__device__ __forceinline__ void stage_x(unsigned char* buf, const T* x, int cols, int it) {
  using S = XStage<T>;
  const int base = it * kGemvStepElems;
  for (int u = threadIdx.x; u < S::kCopies; u += blockDim.x) {
    const int k = base + u * S::kVec;
    uint4 v = make_uint4(0, 0, 0, 0);
    if (k + S::kVec <= cols) {
      v = __ldg(reinterpret_cast<const uint4*>(x + k));  // x is 16-byte aligned (checked)
    } else if (k < cols) {                               // the tail: the elements left, then zeros
      unsigned char b[16] = {};
      const unsigned char* src = reinterpret_cast<const unsigned char*>(x + k);
      for (int i = 0; i < (cols - k) * int(sizeof(T)); ++i) b[i] = src[i];
      memcpy(&v, b, sizeof(v));
    }
    *reinterpret_cast<uint4*>(buf + S::copy_offset(u)) = v;
  }
}

// The loop every GEMV kernel shares. The warp at `row0` streams its kGemvRows rows chunk by chunk
// while the block stages the matching activations (double-buffered: one sync per step), then
// calls chunk(xc, wv) for each chunk it owns: xc is this lane's 64 staged activations, wv the
// rows' 16-byte code chunks. A warp past the last row still helps stage x and calls nothing.
template <typename T, typename Chunk>
__device__ __forceinline__ void gemv_stream(const TernaryMatrix& w, const T* x, int row0,
                                            Chunk&& chunk) {
  using S = XStage<T>;
  __shared__ alignas(16) unsigned char xs[2][S::kBytes];
  const int lane = threadIdx.x % 32;
  const bool has_rows = row0 < w.rows;
  const uint4* rows[kGemvRows];
#pragma unroll
  for (int r = 0; r < kGemvRows; ++r) rows[r] = gemv_row(w, row0 + r);
  const int chunks = w.ld_words / 4, iters = (chunks + 31) / 32;
  for (int it = 0; it < iters; ++it) {
    const int v = it * 32 + lane;
    const bool active = has_rows && v < chunks;
    uint4 wv[kGemvRows] = {};
    if (active) {
#pragma unroll
      for (int r = 0; r < kGemvRows; ++r) wv[r] = __ldcs(rows[r] + v);  // read once: bypass L1
    }
    unsigned char* buf = xs[it % 2];
    stage_x(buf, x, w.cols, it);  // while the weight loads are in flight
    __syncthreads();
    if (active) chunk(buf + S::read_offset(lane, 0), wv);
  }
}

inline dim3 gemv_grid(int rows) {
  const int warps = (rows + kGemvRows - 1) / kGemvRows;
  return dim3(unsigned((warps + kGemvWarps - 1) / kGemvWarps));
}

inline void check_gemv_args(const TernaryMatrix& w, const void* x, const void* y) {
  if (w.rows <= 0 || w.cols <= 0) throw std::invalid_argument("cuda gemv: empty matrix");
  if (w.ld_words != tg16_ld_words(w.cols))
    throw std::invalid_argument("cuda gemv: ld_words does not match the tg16 layout");
  if (!w.words || !w.scales || !x || !y) throw std::invalid_argument("cuda gemv: null pointer");
  if (reinterpret_cast<uintptr_t>(x) % 16 != 0 || reinterpret_cast<uintptr_t>(w.words) % 16 != 0)
    throw std::invalid_argument("cuda gemv: x and the weights must be 16-byte aligned");
}

}  // namespace tnn::kernels::cuda::detail
