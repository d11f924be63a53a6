// Ternary GEMV with int8 activations (W2A8): per 4 weights one shift + LOP3 and one dp4a on the
// unsigned codes u = w + 1; sum (u - 1) x = sum u x - sum x, and sum x costs one dp4a per 16
// activations shared by the warp's rows. Exact int32 accumulation, FP32 output.
#include "check.hpp"
#include "decode.cuh"
#include "gemv_common.cuh"

namespace tnn::kernels::cuda {
namespace detail {

__global__ void __launch_bounds__(32 * kGemvWarps)
    gemv_s8_kernel(TernaryMatrix w, const int8_t* __restrict__ x, float x_scale,
                   float* __restrict__ y) {
  const int lane = threadIdx.x % 32;
  const int row0 = (blockIdx.x * kGemvWarps + threadIdx.x / 32) * kGemvRows;
  int acc[kGemvRows] = {};
  int xsum = 0;
  gemv_stream(w, x, row0, [&](const unsigned char* xc, const uint4(&wv)[kGemvRows]) {
    const uint4* xr = reinterpret_cast<const uint4*>(xc);
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      const uint4 xv = xr[q];  // activations 16 q .. 16 q + 15
      const int xw[4] = {int(xv.x), int(xv.y), int(xv.z), int(xv.w)};
#pragma unroll
      for (int j = 0; j < 4; ++j) xsum = __dp4a(0x01010101, xw[j], xsum);
#pragma unroll
      for (int r = 0; r < kGemvRows; ++r) {
        const uint32_t word = word_of(wv[r], q);
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[r] = __dp4a(int(codes_u8x4(word, j)), xw[j], acc[r]);
      }
    }
  });
  const int total_x = warp_sum(xsum);
#pragma unroll
  for (int r = 0; r < kGemvRows; ++r) {
    const int s = warp_sum(acc[r]) - total_x;
    if (lane == 0 && row0 + r < w.rows) y[row0 + r] = float(s) * (x_scale * row_scale(w, row0 + r));
  }
}

}  // namespace detail

void gemv_s8(const TernaryMatrix& w, const int8_t* x, float x_scale, float* y,
             cudaStream_t stream) {
  detail::check_gemv_args(w, x, y);
  detail::gemv_s8_kernel<<<detail::gemv_grid(w.rows), 32 * detail::kGemvWarps, 0, stream>>>(
      w, x, x_scale, y);
  check_launch("gemv_s8_kernel");
}

}  // namespace tnn::kernels::cuda
