// AVX-512 elementwise helpers of the engine, bit-identical to elementwise_scalar.cpp.
#include "../simd_avx512.hpp"
#include "elementwise_kernels.hpp"

// GCC 12 flags the deliberately undefined pass-through operand of its own AVX-512 intrinsics
// (_mm512_undefined_ps) as maybe-uninitialized; the warning is a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tnn::kernels::cpu {

namespace {

void add_f32(const float* a, const float* b, float* y, int64_t count, bool relu) {
  for (int64_t i = 0; i < count; i += 16) {
    const __mmask16 m = first_lanes(count - i);
    __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));
    if (relu) v = _mm512_max_ps(v, _mm512_setzero_ps());
    _mm512_mask_storeu_ps(y + i, m, v);
  }
}

// Same float operations, in the same order, as add_u8_scalar (bit-identical results).
void add_u8(const uint8_t* a, const uint8_t* b, uint8_t* y, int64_t count, const AddU8Params& p) {
  const __m512 sa = _mm512_set1_ps(p.sa), sb = _mm512_set1_ps(p.sb),
               inv = _mm512_set1_ps(p.inv_out);
  const __m512i za = _mm512_set1_epi32(p.za), zb = _mm512_set1_epi32(p.zb),
                zo = _mm512_set1_epi32(p.zout);
  for (int64_t i = 0; i < count; i += 16) {
    const __mmask16 m = first_lanes(count - i);
    const __m512i xa = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, a + i));
    const __m512i xb = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, b + i));
    __m512 v = _mm512_add_ps(_mm512_mul_ps(sa, _mm512_cvtepi32_ps(_mm512_sub_epi32(xa, za))),
                             _mm512_mul_ps(sb, _mm512_cvtepi32_ps(_mm512_sub_epi32(xb, zb))));
    if (p.relu) v = _mm512_max_ps(v, _mm512_setzero_ps());
    __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(v, inv)), zo);
    q = _mm512_max_epi32(q, _mm512_setzero_si512());
    _mm512_mask_cvtusepi32_storeu_epi8(y + i, m, q);
  }
}

void quantize_u8(const float* x, uint8_t* q, int64_t count, float inv_scale, int32_t zp) {
  const __m512 inv = _mm512_set1_ps(inv_scale);
  const __m512i z = _mm512_set1_epi32(zp);
  for (int64_t i = 0; i < count; i += 16) {
    const __mmask16 m = first_lanes(count - i);
    __m512i v = _mm512_add_epi32(
        _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), inv)), z);
    v = _mm512_max_epi32(v, _mm512_setzero_si512());
    _mm512_mask_cvtusepi32_storeu_epi8(q + i, m, v);
  }
}

}  // namespace

const ElementwiseFns kElementwiseAvx512 = {add_f32, add_u8, quantize_u8};

}  // namespace tnn::kernels::cpu
