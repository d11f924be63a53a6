// AVX-512 VNNI W2A8 GEMV/GEMM (vpdpbusd on u = w + 1 codes). Same results as
// gemm_w2a8_scalar.cpp; only run after a CPUID check.
#include "../simd_avx512.hpp"
#include "gemm_kernels.hpp"

// GCC 12 flags the deliberately undefined pass-through operand of its own AVX-512 intrinsics
// (_mm512_undefined_ps) as maybe-uninitialized; the warning is a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tnn::kernels::cpu {

namespace {

// u = w+1 codes (unsigned) x activations q-128 (signed): sum (u-1) xs = sum u xs - sum xs.
template <int NT, int RB>
void vnni_block(const VnniView& w, const int8_t* xs, int64_t x_stride, const int32_t* xsum,
                float in_scale, int32_t zero_point, int64_t rb0, float* y) {
  const __m512i three = _mm512_set1_epi8(3);
  __m512 sum[NT][RB];
  for (int c = 0; c < w.comps; ++c) {
    // One accumulator per 4-column group q as well, so no dependency chain limits vpdpbusd.
    __m512i acc[NT][RB][4];
    for (int i = 0; i < NT; ++i)
      for (int r = 0; r < RB; ++r)
        for (int q = 0; q < 4; ++q) acc[i][r][q] = _mm512_setzero_si512();
    for (int64_t cb = 0; cb < w.col_blocks; ++cb) {
      __m512i z[RB];
      for (int r = 0; r < RB; ++r)
        z[r] = _mm512_loadu_si512(w.codes[c] + vnni_block_offset(rb0 + r, cb, w.col_blocks));
      for (int q = 0; q < 4; ++q) {
        __m512i u[RB];
        for (int r = 0; r < RB; ++r) u[r] = _mm512_and_si512(_mm512_srli_epi16(z[r], 2 * q), three);
        for (int i = 0; i < NT; ++i) {
          int32_t quad;
          __builtin_memcpy(&quad, xs + i * x_stride + cb * 16 + 4 * q, 4);
          const __m512i xb = _mm512_set1_epi32(quad);
          for (int r = 0; r < RB; ++r) acc[i][r][q] = _mm512_dpbusd_epi32(acc[i][r][q], u[r], xb);
        }
      }
    }
    for (int r = 0; r < RB; ++r) {
      const int64_t row0 = (rb0 + r) * 16;
      const __m512i wsum = _mm512_loadu_si512(w.wsum[c] + row0);
      const __m512 scale = _mm512_loadu_ps(w.scale[c] + row0);
      for (int i = 0; i < NT; ++i) {
        __m512i dot = _mm512_add_epi32(_mm512_add_epi32(acc[i][r][0], acc[i][r][1]),
                                       _mm512_add_epi32(acc[i][r][2], acc[i][r][3]));
        dot = _mm512_sub_epi32(dot, _mm512_set1_epi32(xsum[i]));
        dot = _mm512_add_epi32(dot, _mm512_mullo_epi32(_mm512_set1_epi32(128 - zero_point), wsum));
        const __m512 term =
            _mm512_mul_ps(_mm512_set1_ps(in_scale), _mm512_mul_ps(scale, _mm512_cvtepi32_ps(dot)));
        sum[i][r] = c == 0 ? term : _mm512_add_ps(sum[i][r], term);
      }
    }
  }
  for (int r = 0; r < RB; ++r) {
    const int64_t row0 = (rb0 + r) * 16;
    const __mmask16 m = first_lanes(w.rows - row0);
    for (int i = 0; i < NT; ++i)
      _mm512_mask_storeu_ps(y + i * w.rows + row0, m, finish(w.ep, row0, sum[i][r]));
  }
}

template <int NT>
void vnni_rows(const VnniView& w, const int8_t* xs, const int32_t* xsum, float in_scale,
               int32_t zero_point, float* y) {
  constexpr int RB = NT == 1 ? 4 : 2;
  const int64_t x_stride = w.col_blocks * 16, groups = (w.row_blocks + RB - 1) / RB;
#pragma omp for schedule(static)
  for (int64_t g = 0; g < groups; ++g) {
    const int64_t rb0 = g * RB, left = w.row_blocks - rb0;
    if (left >= RB)
      vnni_block<NT, RB>(w, xs, x_stride, xsum, in_scale, zero_point, rb0, y);
    else if (left == 3)
      vnni_block<NT, 3>(w, xs, x_stride, xsum, in_scale, zero_point, rb0, y);
    else if (left == 2)
      vnni_block<NT, 2>(w, xs, x_stride, xsum, in_scale, zero_point, rb0, y);
    else
      vnni_block<NT, 1>(w, xs, x_stride, xsum, in_scale, zero_point, rb0, y);
  }
}

void gemm_w2a8_impl(const VnniView& w, const int8_t* xs, const int32_t* xsum, int64_t n,
                    float in_scale, int32_t zero_point, float* y) {
  constexpr int64_t kBatch = 4;
  const int64_t cp = w.col_blocks * 16;
#pragma omp parallel
  for (int64_t i0 = 0; i0 < n; i0 += kBatch) {
    const int64_t nt = n - i0 < kBatch ? n - i0 : kBatch;
    const int8_t* x = xs + i0 * cp;
    float* yi = y + i0 * w.rows;
    if (nt == 1)
      vnni_rows<1>(w, x, xsum + i0, in_scale, zero_point, yi);
    else if (nt == 2)
      vnni_rows<2>(w, x, xsum + i0, in_scale, zero_point, yi);
    else if (nt == 3)
      vnni_rows<3>(w, x, xsum + i0, in_scale, zero_point, yi);
    else
      vnni_rows<4>(w, x, xsum + i0, in_scale, zero_point, yi);
  }
}

}  // namespace

void gemm_w2a8_avx512(const VnniView& w, const int8_t* xs, const int32_t* xsum, int64_t n,
                      float in_scale, int32_t zero_point, float* y) {
  gemm_w2a8_impl(w, xs, xsum, n, in_scale, zero_point, y);
}

}  // namespace tnn::kernels::cpu
