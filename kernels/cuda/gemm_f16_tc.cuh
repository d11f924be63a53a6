// Tiled ternary GEMM on FP16 tensor cores (wmma 16x16x16, FP32 accumulation). Per 64-wide K
// chunk the block decodes its BN weight rows once into shared memory as FP16 (LOP3 + HSUB2 +
// PRMT per 4 weights) and reuses them for all BM activation rows. Single-buffered: a first,
// correct version; cp.async double buffering / wgmma are the next steps (docs/gpu.md).
#pragma once

#include "tile_common.cuh"

#include <mma.h>

namespace tnn::kernels::cuda::detail {

template <int BM, int BN, int WM, int WN>
struct F16TileConfig {
  static constexpr int kWarps = (BM / WM) * (BN / WN);
  static constexpr int kThreads = 32 * kWarps;
  static constexpr int kLdA = kBK + 8, kLdB = kBK + 8;  // halves; +8 staggers the banks
  static constexpr int kLdC = BN + 4;                   // floats
  static constexpr int kABytes = BM * kLdA * 2, kBBytes = BN * kLdB * 2;
  static constexpr int kCBytes = BM * kLdC * 4;
  static constexpr int kSmem = kABytes + kBBytes > kCBytes ? kABytes + kBBytes : kCBytes;
};

template <int BM, int BN, int WM, int WN, class A>
__global__ void __launch_bounds__(F16TileConfig<BM, BN, WM, WN>::kThreads)
    gemm_f16_tc_kernel(TernaryMatrix w, A a, __half* __restrict__ y) {
  using Cfg = F16TileConfig<BM, BN, WM, WN>;
  namespace wmma = nvcuda::wmma;
  constexpr int FM = WM / 16, FN = WN / 16;
  __shared__ alignas(128) unsigned char smem[Cfg::kSmem];
  __half* as = reinterpret_cast<__half*>(smem);
  __half* bs = reinterpret_cast<__half*>(smem + Cfg::kABytes);
  float* cs = reinterpret_cast<float*>(smem);  // reused after the main loop

  const int tid = threadIdx.x, warp = tid / 32;
  const int wm = warp / (BN / WN), wn = warp % (BN / WN);
  const int m0 = blockIdx.x * BM, n0 = blockIdx.y * BN;  // tile_grid: M on x

  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[FM][FN];
#pragma unroll
  for (int i = 0; i < FM; ++i)
#pragma unroll
    for (int j = 0; j < FN; ++j) wmma::fill_fragment(acc[i][j], 0.0f);

  const int chunks = w.ld_words / 4;
  for (int kc = 0; kc < chunks; ++kc) {
    for (int idx = tid; idx < BM * (kBK / 8); idx += Cfg::kThreads) {
      const int r = idx / (kBK / 8), c8 = idx % (kBK / 8);
      *reinterpret_cast<uint4*>(as + r * Cfg::kLdA + c8 * 8) = a.chunk(m0 + r, kc * kBK + c8 * 8);
    }
    for (int idx = tid; idx < BN * 4; idx += Cfg::kThreads) {
      const int r = idx / 4, q = idx % 4;
      const uint32_t word = tile_word(w, n0 + r, kc, q);
      uint32_t h[8];
#pragma unroll
      for (int j = 0; j < 4; ++j) weights_f16x4(word, j, h[2 * j], h[2 * j + 1]);
      uint4* dst = reinterpret_cast<uint4*>(bs + r * Cfg::kLdB + q * 16);
      dst[0] = make_uint4(h[0], h[1], h[2], h[3]);
      dst[1] = make_uint4(h[4], h[5], h[6], h[7]);
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < kBK / 16; ++kk) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major> fa[FM];
      wmma::fragment<wmma::matrix_b, 16, 16, 16, __half, wmma::col_major> fb[FN];
#pragma unroll
      for (int i = 0; i < FM; ++i)
        wmma::load_matrix_sync(fa[i], as + (wm * WM + i * 16) * Cfg::kLdA + kk * 16, Cfg::kLdA);
#pragma unroll
      for (int j = 0; j < FN; ++j)
        wmma::load_matrix_sync(fb[j], bs + (wn * WN + j * 16) * Cfg::kLdB + kk * 16, Cfg::kLdB);
#pragma unroll
      for (int i = 0; i < FM; ++i)
#pragma unroll
        for (int j = 0; j < FN; ++j) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
    }
    __syncthreads();
  }

#pragma unroll
  for (int i = 0; i < FM; ++i)
#pragma unroll
    for (int j = 0; j < FN; ++j)
      wmma::store_matrix_sync(cs + (wm * WM + i * 16) * Cfg::kLdC + wn * WN + j * 16, acc[i][j],
                              Cfg::kLdC, wmma::mem_row_major);
  __syncthreads();
  for (int idx = tid; idx < BM * BN; idx += Cfg::kThreads) {
    const int r = idx / BN, c = idx % BN, m = m0 + r, n = n0 + c;
    if (m < a.m && n < w.rows)
      y[size_t(m) * w.rows + n] = __float2half_rn(cs[r * Cfg::kLdC + c] * row_scale(w, n));
  }
}

// Small M (decode-like batches) takes 16-row tiles so that few MMAs are wasted.
template <class A>
void launch_gemm_f16_tc(const TernaryMatrix& w, const A& a, __half* y, cudaStream_t stream) {
  if (a.m <= 16) {
    using Cfg = F16TileConfig<16, 32, 16, 16>;
    const dim3 grid = tile_grid(a.m, w.rows, 16, 32);
    gemm_f16_tc_kernel<16, 32, 16, 16, A><<<grid, Cfg::kThreads, 0, stream>>>(w, a, y);
  } else {
    using Cfg = F16TileConfig<64, 64, 32, 32>;
    const dim3 grid = tile_grid(a.m, w.rows, 64, 64);
    gemm_f16_tc_kernel<64, 64, 32, 32, A><<<grid, Cfg::kThreads, 0, stream>>>(w, a, y);
  }
}

}  // namespace tnn::kernels::cuda::detail
