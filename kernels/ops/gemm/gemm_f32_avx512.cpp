// AVX-512 ternary GEMV/GEMM, FP32 activations: base-3 LUT with vpermt2ps (docs/kernels.md).
// Same data and summation order as gemm_f32_scalar.cpp; only run after a CPUID check.
#include "../simd_avx512.hpp"
#include "gemm_kernels.hpp"

// GCC 12 flags the deliberately undefined pass-through operand of its own AVX-512 intrinsics
// (_mm512_undefined_ps) as maybe-uninitialized; the warning is a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tnn::kernels::cpu {

namespace {

// Table of group g: lane e < 27 = sum of value(digit i of e) * x[3g+i], i = 0, 1, 2 (digits
// 0 / 1 / 2 -> 0 / +1 / -1), lanes 27..31 = 0. Multiplying by 0 / +-1 is exact, so this equals
// the scalar tables bit for bit.
void build_tables(const float* x, int64_t g_begin, int64_t g_end, float* tables) {
  alignas(64) float coef[3][32];
  for (int e = 0; e < 32; ++e) {
    coef[0][e] = e < 27 ? lut_digit_value(e % 3) : 0.0f;
    coef[1][e] = e < 27 ? lut_digit_value(e / 3 % 3) : 0.0f;
    coef[2][e] = e < 27 ? lut_digit_value(e / 9) : 0.0f;
  }
  for (int half = 0; half < 2; ++half) {
    const __m512 c0 = _mm512_load_ps(coef[0] + 16 * half), c1 = _mm512_load_ps(coef[1] + 16 * half),
                 c2 = _mm512_load_ps(coef[2] + 16 * half);
    for (int64_t g = g_begin; g < g_end; ++g) {
      const float* xg = x + 3 * g;
      __m512 t = _mm512_mul_ps(c0, _mm512_set1_ps(xg[0]));
      t = _mm512_fmadd_ps(c1, _mm512_set1_ps(xg[1]), t);
      t = _mm512_fmadd_ps(c2, _mm512_set1_ps(xg[2]), t);
      _mm512_store_ps(tables + 32 * g + 16 * half, t);
    }
  }
}

// NT inputs x RB row blocks of 16 rows. Per row and 18 columns one uint32 of six 5-bit base-3
// codes; vpermt2ps looks each up in its group's 32-entry table (bit 4 picks the upper half).
template <int NT, int RB>
void lut_block(const LutView& w, const float* tables, int64_t table_stride, int64_t rb0, float* y,
               int64_t y_stride) {
  __m512 sum[NT][RB];
  for (int c = 0; c < w.comps; ++c) {
    __m512 acc[NT][RB];
    for (int i = 0; i < NT; ++i)
      for (int r = 0; r < RB; ++r) acc[i][r] = _mm512_setzero_ps();
    for (int64_t cb = 0; cb < w.col_blocks; ++cb) {
      __m512i z[RB];
      for (int r = 0; r < RB; ++r)
        z[r] = _mm512_loadu_si512(w.codes[c] + lut_block_offset(rb0 + r, cb, w.col_blocks));
      for (int g = 0; g < 6; ++g) {
        __m512i idx[RB];
        for (int r = 0; r < RB; ++r) idx[r] = g == 0 ? z[r] : _mm512_srli_epi32(z[r], 5 * g);
        for (int i = 0; i < NT; ++i) {
          const float* t = tables + i * table_stride + (cb * 6 + g) * 32;
          const __m512 lo = _mm512_load_ps(t), hi = _mm512_load_ps(t + 16);
          for (int r = 0; r < RB; ++r)
            acc[i][r] = _mm512_add_ps(acc[i][r], _mm512_permutex2var_ps(lo, idx[r], hi));
        }
      }
    }
    for (int r = 0; r < RB; ++r) {
      const __m512 scale = _mm512_loadu_ps(w.scale[c] + (rb0 + r) * 16);
      for (int i = 0; i < NT; ++i) {
        const __m512 term = _mm512_mul_ps(scale, acc[i][r]);
        sum[i][r] = c == 0 ? term : _mm512_add_ps(sum[i][r], term);
      }
    }
  }
  for (int r = 0; r < RB; ++r) {
    const int64_t row0 = (rb0 + r) * 16;
    const __mmask16 m = first_lanes(w.rows - row0);
    for (int i = 0; i < NT; ++i)
      _mm512_mask_storeu_ps(y + i * y_stride + row0, m, finish(w.ep, row0, sum[i][r]));
  }
}

template <int NT>
void lut_rows(const LutView& w, const float* tables, int64_t table_stride, float* y) {
  constexpr int RB = NT == 1 ? 4 : 2;
  const int64_t groups = (w.row_blocks + RB - 1) / RB;
#pragma omp for schedule(static)
  for (int64_t g = 0; g < groups; ++g) {
    const int64_t rb0 = g * RB, left = w.row_blocks - rb0;
    if (left >= RB)
      lut_block<NT, RB>(w, tables, table_stride, rb0, y, w.rows);
    else if (left == 3)
      lut_block<NT, 3>(w, tables, table_stride, rb0, y, w.rows);
    else if (left == 2)
      lut_block<NT, 2>(w, tables, table_stride, rb0, y, w.rows);
    else
      lut_block<NT, 1>(w, tables, table_stride, rb0, y, w.rows);
  }
}

void gemm_f32_impl(const LutView& w, const float* x, int64_t n, float* y, float* tables) {
  const int64_t cp = w.col_blocks * kLutBlockCols, stride = w.col_blocks * 6 * 32;
  constexpr int64_t kBatch = 4;  // inputs sharing one pass over the weights
#pragma omp parallel
  for (int64_t i0 = 0; i0 < n; i0 += kBatch) {
    const int64_t nt = n - i0 < kBatch ? n - i0 : kBatch;
#pragma omp for schedule(static)
    for (int64_t job = 0; job < nt * w.col_blocks; ++job) {
      const int64_t i = job / w.col_blocks, cb = job % w.col_blocks;
      build_tables(x + (i0 + i) * cp, cb * 6, cb * 6 + 6, tables + i * stride);
    }
    float* yi = y + i0 * w.rows;
    if (nt == 1)
      lut_rows<1>(w, tables, stride, yi);
    else if (nt == 2)
      lut_rows<2>(w, tables, stride, yi);
    else if (nt == 3)
      lut_rows<3>(w, tables, stride, yi);
    else
      lut_rows<4>(w, tables, stride, yi);
  }
}

}  // namespace

void gemm_f32_avx512(const LutView& w, const float* x, int64_t n, float* y, float* tables) {
  gemm_f32_impl(w, x, n, y, tables);
}

}  // namespace tnn::kernels::cpu
