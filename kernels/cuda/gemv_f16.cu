// Ternary GEMV with FP16 activations and output. Two weights per LOP3 + HSUB2, two MACs per
// HFMA2; the activations are paired to match the tg16 byte order with PRMT. Each half2 partial
// sums at most 8 products before it is added to an FP32 accumulator (cuBLAS FP16 GEMV also
// accumulates in FP32), so long rows lose no more than FP32 summation does.
#include "check.hpp"
#include "decode.cuh"
#include "gemv_common.cuh"

namespace tnn::kernels::cuda {
namespace detail {

__global__ void __launch_bounds__(32 * kGemvWarps)
    gemv_f16_kernel(TernaryMatrix w, const __half* __restrict__ x, __half* __restrict__ y) {
  const int lane = threadIdx.x % 32;
  const int row0 = (blockIdx.x * kGemvWarps + threadIdx.x / 32) * kGemvRows;
  float acc[kGemvRows] = {};
  gemv_stream(w, x, row0, [&](const unsigned char* xc, const uint4(&wv)[kGemvRows]) {
    const uint4* xr = reinterpret_cast<const uint4*>(xc);
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      // Activations 16 q .. 16 q + 15 as 8 half2 words {k, k+1}, {k+2, k+3}, ...
      const uint4 a = xr[2 * q], b = xr[2 * q + 1];
      const uint32_t xw[8] = {a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w};
      __half2 x02[4], x13[4];  // activations in the weights' pair order (4j, 4j+2), (4j+1, 4j+3)
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        x02[j] = as_half2(byte_perm(xw[2 * j], xw[2 * j + 1], 0x5410));
        x13[j] = as_half2(byte_perm(xw[2 * j], xw[2 * j + 1], 0x7632));
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
  });
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
