// Scalar ternary GEMV/GEMM with FP32 activations, on the same base-3 LUT layout and in the same
// summation order as the SIMD kernels, so it doubles as a readable spec of the layout.
#include "../simd_scalar.hpp"
#include "gemm_kernels.hpp"

#include <algorithm>
#include <cmath>

namespace tnn::kernels::cpu {

namespace {

// T[g][e] = sum of value(digit i of e) * x[3g+i] for e < 27 (base 3), added in the order
// i = 0, 1, 2 (the SIMD builders compute exactly this); entries 27..31 are 0.
void build_tables(const float* x, int64_t groups, float* tables) {
  for (int64_t g = 0; g < groups; ++g)
    for (int e = 0; e < 32; ++e) {
      float t = 0.0f;
      if (e < 27) {
        t = lut_digit_value(e % 3) * x[3 * g];
        t += lut_digit_value(e / 3 % 3) * x[3 * g + 1];
        t += lut_digit_value(e / 9) * x[3 * g + 2];
      }
      tables[g * 32 + e] = t;
    }
}

void gemm_f32_impl(const LutView& w, const float* x, int64_t n, float* y, float* tables) {
  const int64_t cp = w.col_blocks * kLutBlockCols, groups = w.col_blocks * 6;
  for (int64_t i = 0; i < n; ++i) {
    build_tables(x + i * cp, groups, tables);
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < w.rows; ++r) {
      float sum = 0.0f;
      for (int c = 0; c < w.comps; ++c) {
        float acc = 0.0f;
        for (int64_t cb = 0; cb < w.col_blocks; ++cb) {
          const uint32_t d = w.codes[c][lut_block_offset(r / 16, cb, w.col_blocks) + r % 16];
          for (int g = 0; g < 6; ++g) acc += tables[(cb * 6 + g) * 32 + ((d >> (5 * g)) & 31)];
        }
        const float term = w.scale[c][r] * acc;
        sum = c == 0 ? term : sum + term;
      }
      y[i * w.rows + r] = finish(w.ep, r, sum);
    }
  }
}

}  // namespace

void gemm_f32_scalar(const LutView& w, const float* x, int64_t n, float* y, float* tables) {
  gemm_f32_impl(w, x, n, y, tables);
}

}  // namespace tnn::kernels::cpu
