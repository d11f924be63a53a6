// Ternary GEMV with FP32 activations: y = scale * (W x). Decode costs a shift, a LOP3 and an FADD
// per weight before the FFMA, so at 4096^2 this kernel is bounded by issue rate (~2 us on an
// H100), not by the 4 MB of codes (~1.4 us); see docs/gpu.md.
#include "check.hpp"
#include "decode.cuh"
#include "gemv_common.cuh"

namespace tnn::kernels::cuda {
namespace detail {

// 16 activations k0 .. k0 + 15, zero past K.
__device__ __forceinline__ void load_x16(const float* x, int k, int k0, float (&xs)[16]) {
  if (k0 + 16 <= k) {
    const float4* p = reinterpret_cast<const float4*>(x + k0);
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const float4 v = __ldg(p + i);
      xs[4 * i] = v.x, xs[4 * i + 1] = v.y, xs[4 * i + 2] = v.z, xs[4 * i + 3] = v.w;
    }
  } else {
#pragma unroll
    for (int i = 0; i < 16; ++i) xs[i] = k0 + i < k ? x[k0 + i] : 0.0f;
  }
}

__global__ void __launch_bounds__(32 * kGemvWarps)
    gemv_f32_kernel(TernaryMatrix w, const float* __restrict__ x, float* __restrict__ y) {
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
    for (int r = 0; r < kGemvRows; ++r) wv[r] = __ldcs(rows[r] + v);  // read once: bypass L1
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      float xs[16];
      load_x16(x, w.cols, v * 64 + q * 16, xs);
#pragma unroll
      for (int r = 0; r < kGemvRows; ++r) {
        const uint32_t word = word_of(wv[r], q);
#pragma unroll
        for (int i = 0; i < 16; ++i) acc[r] = fmaf(weight_f32(word, i), xs[i], acc[r]);
      }
    }
  }
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
