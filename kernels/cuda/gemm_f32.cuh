// Tiled ternary GEMM on CUDA cores with FP32 activations: exact FP32 products (no TF32), the
// papers' setting. A 64 x 64 tile per 256-thread block, 4 x 4 outputs per thread; each 64-wide
// K chunk of weights is decoded once into shared memory (magic-number FADD per weight) and
// reused by the 64 activation rows. Which thread loads what (f32_a_slot, f32_b_slot) is chosen
// for whole sectors on the global side and no bank conflicts on the shared side; the host tests
// (index_maps.hpp; tests/cuda/test_tiling.cpp) check both.
#pragma once

#include "tile_common.cuh"

namespace tnn::kernels::cuda::detail {

template <class A>
__global__ void __launch_bounds__(kF32Threads)
    gemm_f32_kernel(TernaryMatrix w, A a, float* __restrict__ y) {
  constexpr int BM = kF32BM, BN = kF32BN, LDA = kF32LdA, LDB = kF32LdB;
  __shared__ alignas(16) float as[kBK][LDA];  // transposed: as[k][m]
  __shared__ alignas(16) float bs[kBK][LDB];  // bs[k][n]
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int m0 = blockIdx.x * BM, n0 = blockIdx.y * BN;  // tile_grid: M on x
  float acc[4][4] = {};

  const int chunks = w.ld_words / 4;
  for (int kc = 0; kc < chunks; ++kc) {
    for (int idx = tid; idx < BM * (kBK / 4); idx += kF32Threads) {
      const TileSlot sl = f32_a_slot(idx);
      const int r = sl.row, c4 = sl.col;
      const uint4 v = a.chunk(m0 + r, kc * kBK + c4 * 4);
      as[c4 * 4 + 0][r] = __uint_as_float(v.x);
      as[c4 * 4 + 1][r] = __uint_as_float(v.y);
      as[c4 * 4 + 2][r] = __uint_as_float(v.z);
      as[c4 * 4 + 3][r] = __uint_as_float(v.w);
    }
    for (int idx = tid; idx < BN * 4; idx += kF32Threads) {
      const TileSlot sl = f32_b_slot(idx);
      const int r = sl.row, q = sl.col;
      const uint32_t word = tile_word(w, n0 + r, kc, q);
#pragma unroll
      for (int i = 0; i < 16; ++i) bs[q * 16 + i][r] = weight_f32(word, i);
    }
    __syncthreads();
#pragma unroll 8
    for (int k = 0; k < kBK; ++k) {
      const float4 av = *reinterpret_cast<const float4*>(&as[k][ty * 4]);
      const float4 bv = *reinterpret_cast<const float4*>(&bs[k][tx * 4]);
      const float ar[4] = {av.x, av.y, av.z, av.w}, br[4] = {bv.x, bv.y, bv.z, bv.w};
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] = fmaf(ar[i], br[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int m = m0 + ty * 4 + i;
    if (m >= a.m) continue;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const int n = n0 + tx * 4 + j;
      if (n < w.rows) y[size_t(m) * w.rows + n] = acc[i][j] * row_scale(w, n);
    }
  }
}

template <class A>
void launch_gemm_f32(const TernaryMatrix& w, const A& a, float* y, cudaStream_t stream) {
  const dim3 grid = tile_grid(a.m, w.rows, kF32BM, kF32BN);
  gemm_f32_kernel<A><<<grid, kF32Threads, 0, stream>>>(w, a, y);
}

}  // namespace tnn::kernels::cuda::detail
