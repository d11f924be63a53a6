// AVX2 + FMA ternary GEMV/GEMM, FP32 activations (base-3 LUT, 8 lanes). Same data and summation
// order as gemm_f32_scalar.cpp; compiled with -mavx2 -mfma and only run after a CPUID check.
#include "../simd_avx2.hpp"
#include "gemm_kernels.hpp"

// GCC 12 flags the deliberately undefined pass-through operand of its own AVX-512 intrinsics
// (_mm512_undefined_ps) as maybe-uninitialized; the warning is a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tnn::kernels::cpu {

namespace {

void build_tables(const float* x, int64_t g_begin, int64_t g_end, float* tables) {
  for (int64_t g = g_begin; g < g_end; ++g)
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

// 32-entry lookup from four 8-entry quarters: index bits 3 and 4 pick the quarter.
__m256 lookup32(const float* t, __m256i idx) {
  const __m256 q0 = _mm256_permutevar8x32_ps(_mm256_load_ps(t), idx);
  const __m256 q1 = _mm256_permutevar8x32_ps(_mm256_load_ps(t + 8), idx);
  const __m256 q2 = _mm256_permutevar8x32_ps(_mm256_load_ps(t + 16), idx);
  const __m256 q3 = _mm256_permutevar8x32_ps(_mm256_load_ps(t + 24), idx);
  const __m256 bit3 = _mm256_castsi256_ps(_mm256_slli_epi32(idx, 28));
  const __m256 bit4 = _mm256_castsi256_ps(_mm256_slli_epi32(idx, 27));
  return _mm256_blendv_ps(_mm256_blendv_ps(q0, q1, bit3), _mm256_blendv_ps(q2, q3, bit3), bit4);
}

void lut_row_block(const LutView& w, const float* tables, int64_t rb, float* y) {
  __m256 sum[2];
  for (int c = 0; c < w.comps; ++c) {
    __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int64_t cb = 0; cb < w.col_blocks; ++cb) {
      const uint32_t* codes = w.codes[c] + lut_block_offset(rb, cb, w.col_blocks);
      const __m256i z[2] = {_mm256_loadu_si256((const __m256i*)(codes)),
                            _mm256_loadu_si256((const __m256i*)(codes + 8))};
      for (int g = 0; g < 6; ++g)
        for (int h = 0; h < 2; ++h)
          acc[h] = _mm256_add_ps(
              acc[h], lookup32(tables + (cb * 6 + g) * 32, _mm256_srli_epi32(z[h], 5 * g)));
    }
    for (int h = 0; h < 2; ++h) {
      const __m256 term = _mm256_mul_ps(_mm256_loadu_ps(w.scale[c] + rb * 16 + h * 8), acc[h]);
      sum[h] = c == 0 ? term : _mm256_add_ps(sum[h], term);
    }
  }
  for (int h = 0; h < 2; ++h) {
    const int64_t row0 = rb * 16 + h * 8;
    if (row0 < w.rows) store_first(y + row0, w.rows - row0, finish8(w.ep, row0, sum[h]));
  }
}

void gemm_f32_impl(const LutView& w, const float* x, int64_t n, float* y, float* tables) {
  const int64_t cp = w.col_blocks * kLutBlockCols;
#pragma omp parallel
  for (int64_t i = 0; i < n; ++i) {
#pragma omp for schedule(static)
    for (int64_t cb = 0; cb < w.col_blocks; ++cb)
      build_tables(x + i * cp, cb * 6, cb * 6 + 6, tables);
#pragma omp for schedule(static)
    for (int64_t rb = 0; rb < w.row_blocks; ++rb) lut_row_block(w, tables, rb, y + i * w.rows);
  }
}

}  // namespace

void gemm_f32_avx2(const LutView& w, const float* x, int64_t n, float* y, float* tables) {
  gemm_f32_impl(w, x, n, y, tables);
}

}  // namespace tnn::kernels::cpu
