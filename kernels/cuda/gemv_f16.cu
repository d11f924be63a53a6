// Ternary GEMV with FP16 activations and output. Two weights per LOP3 + HSUB2, two MACs per
// HFMA2; the activations are paired to match the tg16 byte order with PRMT. Each half2 partial
// sums at most 8 products before it is added to an FP32 accumulator (cuBLAS FP16 GEMV also
// accumulates in FP32), so long rows lose no more than FP32 summation does.
#include "check.hpp"
#include "decode.cuh"
#include "gemv_common.cuh"

namespace tnn::kernels::cuda {
namespace detail {

// Activations k0 .. k0 + 15 as 8 half2 words {k0, k0+1}, {k0+2, k0+3}, ..., zero past K.
__device__ __forceinline__ void load_x16(const __half* x, int k, int k0, uint32_t (&xs)[8]) {
  if (k0 + 16 <= k) {
    const uint4* p = reinterpret_cast<const uint4*>(x + k0);
    const uint4 a = __ldg(p), b = __ldg(p + 1);
    xs[0] = a.x, xs[1] = a.y, xs[2] = a.z, xs[3] = a.w;
    xs[4] = b.x, xs[5] = b.y, xs[6] = b.z, xs[7] = b.w;
  } else {
    __half e[16];
#pragma unroll
    for (int i = 0; i < 16; ++i) e[i] = k0 + i < k ? x[k0 + i] : __ushort_as_half(0);
    memcpy(xs, e, sizeof(e));
  }
}

__global__ void __launch_bounds__(32 * kGemvWarps)
    gemv_f16_kernel(TernaryMatrix w, const __half* __restrict__ x, __half* __restrict__ y) {
  const int lane = threadIdx.x % 32;
  const int row0 = (blockIdx.x * kGemvWarps + threadIdx.x / 32) * kGemvRows;
  if (row0 >= w.rows) return;
  const uint4* rows[kGemvRows];
#pragma unroll
  for (int r = 0; r < kGemvRows; ++r) rows[r] = gemv_row(w, row0 + r);
  float acc[kGemvRows] = {};
  const int chunks = w.ld_words / 4;
  for (int v = lane; v < chunks; v += 32) {
    uint4 wv[kGemvRows];
#pragma unroll
    for (int r = 0; r < kGemvRows; ++r) wv[r] = __ldcs(rows[r] + v);
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      uint32_t xs[8];
      load_x16(x, w.cols, v * 64 + q * 16, xs);
      __half2 x02[4], x13[4];  // activations in the weights' pair order (4j, 4j+2), (4j+1, 4j+3)
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        x02[j] = as_half2(byte_perm(xs[2 * j], xs[2 * j + 1], 0x5410));
        x13[j] = as_half2(byte_perm(xs[2 * j], xs[2 * j + 1], 0x7632));
      }
#pragma unroll
      for (int r = 0; r < kGemvRows; ++r) {
        const uint32_t word = word_of(wv[r], q);
        __half2 h = __float2half2_rn(0.0f);
#pragma unroll
        for (int j = 0; j < 4; ++j) {
          h = __hfma2(weights_f16x2(word, j, 0), x02[j], h);
          h = __hfma2(weights_f16x2(word, j, 1), x13[j], h);
        }
        const float2 f = __half22float2(h);
        acc[r] += f.x + f.y;
      }
    }
  }
#pragma unroll
  for (int r = 0; r < kGemvRows; ++r) {
    const float s = warp_sum(acc[r]);
    if (lane == 0 && row0 + r < w.rows) y[row0 + r] = __float2half_rn(s * row_scale(w, row0 + r));
  }
}

}  // namespace detail

void gemv(const TernaryMatrix& w, const __half* x, __half* y, cudaStream_t stream) {
  detail::check_gemv_args(w, x, y);
  detail::gemv_f16_kernel<<<detail::gemv_grid(w.rows), 32 * detail::kGemvWarps, 0, stream>>>(w, x,
                                                                                             y);
  check_launch("gemv_f16_kernel");
}

}  // namespace tnn::kernels::cuda
