// AVX2 W2A8 GEMV/GEMM (pmaddubsw instead of VNNI). Same data and results as
// gemm_w2a8_scalar.cpp; compiled with -mavx2 -mfma and only run after a CPUID check.
#include "../simd_avx2.hpp"
#include "gemm_kernels.hpp"

// GCC 12 flags the deliberately undefined pass-through operand of its own AVX-512 intrinsics
// (_mm512_undefined_ps) as maybe-uninitialized; the warning is a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tnn::kernels::cpu {

namespace {

// u (0..2, unsigned) x xs (signed): pmaddubsw pairs cannot saturate (|2*2*128| < 2^15).
void w2a8_row_block(const VnniView& w, const int8_t* xs, int32_t xsum, float in_scale,
                    int32_t zero_point, int64_t rb, float* y) {
  const __m256i three = _mm256_set1_epi8(3), ones16 = _mm256_set1_epi16(1);
  __m256 sum[2];
  for (int c = 0; c < w.comps; ++c) {
    __m256i acc[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
    for (int64_t cb = 0; cb < w.col_blocks; ++cb) {
      const uint32_t* codes = w.codes[c] + vnni_block_offset(rb, cb, w.col_blocks);
      const __m256i z[2] = {_mm256_loadu_si256((const __m256i*)(codes)),
                            _mm256_loadu_si256((const __m256i*)(codes + 8))};
      for (int q = 0; q < 4; ++q) {
        int32_t quad;
        __builtin_memcpy(&quad, xs + cb * 16 + 4 * q, 4);
        const __m256i xb = _mm256_set1_epi32(quad);
        for (int h = 0; h < 2; ++h) {
          const __m256i u = _mm256_and_si256(_mm256_srli_epi16(z[h], 2 * q), three);
          acc[h] = _mm256_add_epi32(acc[h], _mm256_madd_epi16(_mm256_maddubs_epi16(u, xb), ones16));
        }
      }
    }
    for (int h = 0; h < 2; ++h) {
      const int64_t row0 = rb * 16 + h * 8;
      __m256i dot = _mm256_sub_epi32(acc[h], _mm256_set1_epi32(xsum));
      dot = _mm256_add_epi32(
          dot, _mm256_mullo_epi32(_mm256_set1_epi32(128 - zero_point),
                                  _mm256_loadu_si256((const __m256i*)(w.wsum[c] + row0))));
      const __m256 term =
          _mm256_mul_ps(_mm256_set1_ps(in_scale),
                        _mm256_mul_ps(_mm256_loadu_ps(w.scale[c] + row0), _mm256_cvtepi32_ps(dot)));
      sum[h] = c == 0 ? term : _mm256_add_ps(sum[h], term);
    }
  }
  for (int h = 0; h < 2; ++h) {
    const int64_t row0 = rb * 16 + h * 8;
    if (row0 < w.rows) store_first(y + row0, w.rows - row0, finish8(w.ep, row0, sum[h]));
  }
}

void gemm_w2a8_impl(const VnniView& w, const int8_t* xs, const int32_t* xsum, int64_t n,
                    float in_scale, int32_t zero_point, float* y) {
  const int64_t cp = w.col_blocks * 16;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t rb = 0; rb < w.row_blocks; ++rb)
      w2a8_row_block(w, xs + i * cp, xsum[i], in_scale, zero_point, rb, y + i * w.rows);
}

}  // namespace

void gemm_w2a8_avx2(const VnniView& w, const int8_t* xs, const int32_t* xsum, int64_t n,
                    float in_scale, int32_t zero_point, float* y) {
  gemm_w2a8_impl(w, xs, xsum, n, in_scale, zero_point, y);
}

}  // namespace tnn::kernels::cpu
