// Scalar W2A8 GEMV/GEMM on the VNNI layout (u = w + 1 codes against q - 128), the readable
// spec of what the SIMD kernels compute.
#include "../simd_scalar.hpp"
#include "gemm_kernels.hpp"

#include <algorithm>
#include <cmath>

namespace tnn::kernels::cpu {

namespace {

void gemm_w2a8_impl(const VnniView& w, const int8_t* xs, const int32_t* xsum, int64_t n,
                    float in_scale, int32_t zero_point, float* y) {
  const int64_t cp = w.col_blocks * 16;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 0; r < w.rows; ++r) {
      const int8_t* x = xs + i * cp;
      float sum = 0.0f;
      for (int c = 0; c < w.comps; ++c) {
        int32_t acc = 0;
        for (int64_t cb = 0; cb < w.col_blocks; ++cb)
          for (int q = 0; q < 4; ++q)
            for (int j = 0; j < 4; ++j) {
              const uint32_t d = w.codes[c][vnni_block_offset(r / 16, cb, w.col_blocks) + r % 16];
              const int32_t u = int32_t(d >> (8 * j + 2 * q)) & 3;
              acc += u * x[cb * 16 + 4 * q + j];
            }
        // sum (u-1) xs = sum u xs - sum xs; the zero point enters through sum w.
        const int32_t dot = acc - xsum[i] + (128 - zero_point) * w.wsum[c][r];
        const float term = in_scale * (w.scale[c][r] * float(dot));
        sum = c == 0 ? term : sum + term;
      }
      y[i * w.rows + r] = finish(w.ep, r, sum);
    }
}

}  // namespace

void gemm_w2a8_scalar(const VnniView& w, const int8_t* xs, const int32_t* xsum, int64_t n,
                      float in_scale, int32_t zero_point, float* y) {
  gemm_w2a8_impl(w, xs, xsum, n, in_scale, zero_point, y);
}

}  // namespace tnn::kernels::cpu
