// Ternary GEMV with FP32 activations: y = scale * (W x). Decode costs a shift, a LOP3 and an FADD
// per weight before the FFMA, so at 4096^2 this kernel is bounded by issue rate (~2 us on an
// H100), not by the 4 MB of codes (~1.4 us); see docs/gpu.md.
#include "check.hpp"
#include "decode.cuh"
#include "gemv_common.cuh"

namespace tnn::kernels::cuda {
namespace detail {

__global__ void __launch_bounds__(32 * kGemvWarps)
    gemv_f32_kernel(TernaryMatrix w, const float* __restrict__ x, float* __restrict__ y) {
  const int lane = threadIdx.x % 32;
  const int row0 = (blockIdx.x * kGemvWarps + threadIdx.x / 32) * kGemvRows;
  float acc[kGemvRows] = {};
  gemv_stream(w, x, row0, [&](const unsigned char* xc, const uint4(&wv)[kGemvRows]) {
    const float4* xr = reinterpret_cast<const float4*>(xc);
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      float xv[16];
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const float4 f = xr[4 * q + i];
        xv[4 * i] = f.x, xv[4 * i + 1] = f.y, xv[4 * i + 2] = f.z, xv[4 * i + 3] = f.w;
      }
#pragma unroll
      for (int r = 0; r < kGemvRows; ++r) {
        const uint32_t word = word_of(wv[r], q);
#pragma unroll
        for (int i = 0; i < 16; ++i) acc[r] = fmaf(weight_f32(word, i), xv[i], acc[r]);
      }
    }
  });
#pragma unroll
  for (int r = 0; r < kGemvRows; ++r) {
    const float s = warp_sum(acc[r]);
    if (lane == 0 && row0 + r < w.rows) y[row0 + r] = s * row_scale(w, row0 + r);
  }
}

}  // namespace detail

void gemv(const TernaryMatrix& w, const float* x, float* y, cudaStream_t stream) {
  detail::check_gemv_args(w, x, y);
  detail::gemv_f32_kernel<<<detail::gemv_grid(w.rows), 32 * detail::kGemvWarps, 0, stream>>>(w, x,
                                                                                             y);
  check_launch("gemv_f32_kernel");
}

}  // namespace tnn::kernels::cuda
