// Tiled ternary GEMM on CUDA cores with FP32 activations: exact FP32 products (no TF32), the
// papers' setting. A 64 x 64 tile per 256-thread block, 4 x 4 outputs per thread; each 64-wide
// K chunk of weights is decoded once into shared memory (magic-number FADD per weight) and
// reused by the 64 activation rows.
#pragma once

#include "tile_common.cuh"

namespace tnn::kernels::cuda::detail {

constexpr int kF32BM = 64, kF32BN = 64, kF32Threads = 256;

template <class A>
__global__ void __launch_bounds__(kF32Threads)
    gemm_f32_kernel(TernaryMatrix w, A a, float* __restrict__ y) {
  constexpr int BM = kF32BM, BN = kF32BN, LDA = BM + 4, LDB = BN + 4;
  __shared__ alignas(16) float as[kBK][LDA];  // transposed: as[k][m]
  __shared__ alignas(16) float bs[kBK][LDB];  // bs[k][n]
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
  float acc[4][4] = {};

  const int chunks = w.ld_words / 4;
  for (int kc = 0; kc < chunks; ++kc) {
    for (int idx = tid; idx < BM * (kBK / 4); idx += kF32Threads) {
      const int r = idx % BM, c4 = idx / BM;  // consecutive threads: consecutive rows of as
      const uint4 v = a.chunk(m0 + r, kc * kBK + c4 * 4);
      as[c4 * 4 + 0][r] = __uint_as_float(v.x);
      as[c4 * 4 + 1][r] = __uint_as_float(v.y);
      as[c4 * 4 + 2][r] = __uint_as_float(v.z);
      as[c4 * 4 + 3][r] = __uint_as_float(v.w);
    }
    for (int idx = tid; idx < BN * 4; idx += kF32Threads) {
      const int r = idx / 4, q = idx % 4;
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
  const dim3 grid(unsigned((w.rows + kF32BN - 1) / kF32BN), unsigned((a.m + kF32BM - 1) / kF32BM));
  gemm_f32_kernel<A><<<grid, kF32Threads, 0, stream>>>(w, a, y);
}

}  // namespace tnn::kernels::cuda::detail
