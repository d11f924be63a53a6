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
  using S = XStage<int8_t>;
  __shared__ alignas(16) unsigned char xs[2][S::kBytes];  // double-buffered: one sync per step
  const int lane = threadIdx.x % 32;
  const int row0 = (blockIdx.x * kGemvWarps + threadIdx.x / 32) * kGemvRows;
  const bool has_rows = row0 < w.rows;  // a warp past the end still helps stage x
  const uint4* rows[kGemvRows];
#pragma unroll
  for (int r = 0; r < kGemvRows; ++r) rows[r] = gemv_row(w, row0 + r);
  int acc[kGemvRows] = {};
  int xsum = 0;
  const int chunks = w.ld_words / 4, iters = (chunks + 31) / 32;
  for (int it = 0; it < iters; ++it) {
    const int v = it * 32 + lane;
    const bool active = has_rows && v < chunks;
    uint4 wv[kGemvRows] = {};
    if (active) {
#pragma unroll
      for (int r = 0; r < kGemvRows; ++r) wv[r] = __ldcs(rows[r] + v);
    }
    unsigned char* buf = xs[it % 2];
    stage_x(buf, x, w.cols, it);
    __syncthreads();
    if (!active) continue;
    const uint4* xr = reinterpret_cast<const uint4*>(buf + S::read_offset(lane, 0));
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
  }
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
