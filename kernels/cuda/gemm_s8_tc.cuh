// Tiled ternary GEMM on int8 tensor cores (wmma 16x16x16 s8, int32 accumulation): W2A8 with the
// weights decoded to int8 in shared memory (shift + LOP3 + IADD + XOR per 4 weights). Tiles are
// stored as 16-column slices ([k/16][row][16] bytes, 32 bytes of padding after each slice) so
// every fragment pointer is 256-bit aligned, as wmma requires, and the tile stores are free of
// bank conflicts. Exact integer sums, FP32 output.
#pragma once

#include "tile_common.cuh"

#include <mma.h>

namespace tnn::kernels::cuda::detail {

template <int BM, int BN, int WM, int WN>
struct S8TileConfig {
  static constexpr int kWarps = (BM / WM) * (BN / WN);
  static constexpr int kThreads = 32 * kWarps;
  static constexpr int kSlices = kBK / 16;
  static constexpr int kSliceA = s8_slice_bytes(BM), kSliceB = s8_slice_bytes(BN);  // padded
  static constexpr int kABytes = kSlices * kSliceA, kBBytes = kSlices * kSliceB;
  static_assert(kSliceA % 32 == 0 && kSliceB % 32 == 0 && kABytes % 32 == 0,
                "wmma needs 256-bit aligned fragment pointers");
  static constexpr int kLdC = BN + 4;  // ints
  static constexpr int kCBytes = BM * kLdC * 4;
  static constexpr int kSmem = kABytes + kBBytes > kCBytes ? kABytes + kBBytes : kCBytes;
};

template <int BM, int BN, int WM, int WN, class A>
__global__ void __launch_bounds__(S8TileConfig<BM, BN, WM, WN>::kThreads)
    gemm_s8_tc_kernel(TernaryMatrix w, A a, float x_scale, float* __restrict__ y) {
  using Cfg = S8TileConfig<BM, BN, WM, WN>;
  namespace wmma = nvcuda::wmma;
  constexpr int FM = WM / 16, FN = WN / 16;
  __shared__ alignas(128) unsigned char smem[Cfg::kSmem];
  signed char* as = reinterpret_cast<signed char*>(smem);                 // [slice][BM][16] + pad
  signed char* bs = reinterpret_cast<signed char*>(smem + Cfg::kABytes);  // [slice][BN][16] + pad
  int* cs = reinterpret_cast<int*>(smem);

  const int tid = threadIdx.x, warp = tid / 32;
  const int wm = warp / (BN / WN), wn = warp % (BN / WN);
  const int m0 = blockIdx.x * BM, n0 = blockIdx.y * BN;  // tile_grid: M on x

  wmma::fragment<wmma::accumulator, 16, 16, 16, int> acc[FM][FN];
#pragma unroll
  for (int i = 0; i < FM; ++i)
#pragma unroll
    for (int j = 0; j < FN; ++j) wmma::fill_fragment(acc[i][j], 0);

  const int chunks = w.ld_words / 4;
  for (int kc = 0; kc < chunks; ++kc) {
    for (int idx = tid; idx < BM * Cfg::kSlices; idx += Cfg::kThreads) {
      const int r = idx / Cfg::kSlices, s = idx % Cfg::kSlices;
      *reinterpret_cast<uint4*>(as + s * Cfg::kSliceA + r * 16) =
          a.chunk(m0 + r, kc * kBK + s * 16);
    }
    for (int idx = tid; idx < BN * 4; idx += Cfg::kThreads) {
      const int r = idx / 4, q = idx % 4;  // word q of a chunk is exactly slice q
      const uint32_t word = tile_word(w, n0 + r, kc, q);
      *reinterpret_cast<uint4*>(bs + q * Cfg::kSliceB + r * 16) =
          make_uint4(weights_s8x4(word, 0), weights_s8x4(word, 1), weights_s8x4(word, 2),
                     weights_s8x4(word, 3));
    }
    __syncthreads();
#pragma unroll
    for (int s = 0; s < Cfg::kSlices; ++s) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, signed char, wmma::row_major> fa[FM];
      wmma::fragment<wmma::matrix_b, 16, 16, 16, signed char, wmma::col_major> fb[FN];
#pragma unroll
      for (int i = 0; i < FM; ++i)
        wmma::load_matrix_sync(fa[i], as + s * Cfg::kSliceA + (wm * WM + i * 16) * 16, 16);
#pragma unroll
      for (int j = 0; j < FN; ++j)
        wmma::load_matrix_sync(fb[j], bs + s * Cfg::kSliceB + (wn * WN + j * 16) * 16, 16);
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
      y[size_t(m) * w.rows + n] = float(cs[r * Cfg::kLdC + c]) * (x_scale * row_scale(w, n));
  }
}

template <class A>
void launch_gemm_s8_tc(const TernaryMatrix& w, const A& a, float x_scale, float* y,
                       cudaStream_t stream) {
  if (a.m <= 16) {
    using Cfg = S8TileConfig<16, 32, 16, 16>;
    const dim3 grid = tile_grid(a.m, w.rows, 16, 32);
    gemm_s8_tc_kernel<16, 32, 16, 16, A><<<grid, Cfg::kThreads, 0, stream>>>(w, a, x_scale, y);
  } else {
    using Cfg = S8TileConfig<64, 64, 32, 32>;
    const dim3 grid = tile_grid(a.m, w.rows, 64, 64);
    gemm_s8_tc_kernel<64, 64, 32, 32, A><<<grid, Cfg::kThreads, 0, stream>>>(w, a, x_scale, y);
  }
}

}  // namespace tnn::kernels::cuda::detail
