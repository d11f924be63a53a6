// AVX2 W2A8 conv (pmaddubsw, 4 pixels x 16 channels per tile). Same results as
// conv_w2a8_scalar.cpp; compiled with -mavx2 -mfma.
#include "../simd_avx2.hpp"
#include "conv_kernels.hpp"

// GCC 12 flags the deliberately undefined pass-through operand of its own AVX-512 intrinsics
// (_mm512_undefined_ps) as maybe-uninitialized; the warning is a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tnn::kernels::cpu {

namespace {

template <int PX>
void w2a8_tile(const ConvW2A8View& v, const uint8_t* in, int64_t image, int64_t oy, int64_t ox0,
               int64_t kb) {
  const __m256i three = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
  const __m256i ones16 = _mm256_set1_epi16(1);
  const uint8_t* px0 = in + image * v.in_image + oy * v.in_row + ox0 * v.in_pix;
  __m256 sum[PX][2];
  for (int c = 0; c < v.comps; ++c) {
    __m256i acc[PX][2];
    for (int p = 0; p < PX; ++p) acc[p][0] = acc[p][1] = _mm256_setzero_si256();
    const uint32_t* codes = v.codes[c] + kb * v.blocks * 16;
    for (int64_t blk = 0; blk < v.blocks; ++blk) {
      const __m256i z[2] = {_mm256_loadu_si256((const __m256i*)(codes + blk * 16)),
                            _mm256_loadu_si256((const __m256i*)(codes + blk * 16 + 8))};
      for (int q = 0; q < 4; ++q) {
        __m256i w[2];
        for (int h = 0; h < 2; ++h)
          w[h] = _mm256_sub_epi8(_mm256_and_si256(_mm256_srli_epi16(z[h], 2 * q), three), one);
        const uint8_t* xq = px0 + v.quad_offset[blk * 4 + q];
        for (int p = 0; p < PX; ++p) {
          int32_t quad;
          __builtin_memcpy(&quad, xq + p * v.in_pix, 4);
          const __m256i xb = _mm256_set1_epi32(quad);
          for (int h = 0; h < 2; ++h)  // u8 x in {-1,0,1}: pairs <= 510, no saturation
            acc[p][h] = _mm256_add_epi32(acc[p][h],
                                         _mm256_madd_epi16(_mm256_maddubs_epi16(xb, w[h]), ones16));
        }
      }
    }
    for (int h = 0; h < 2; ++h) {
      const int64_t k0 = kb * 16 + h * 8;
      const __m256i comp = _mm256_mullo_epi32(_mm256_set1_epi32(v.in_zero_point),
                                              _mm256_loadu_si256((const __m256i*)(v.wsum[c] + k0)));
      const __m256 scale = _mm256_loadu_ps(v.scale[c] + k0);
      for (int p = 0; p < PX; ++p) {
        const __m256 dot = _mm256_cvtepi32_ps(_mm256_sub_epi32(acc[p][h], comp));
        const __m256 term = _mm256_mul_ps(_mm256_set1_ps(v.in_scale), _mm256_mul_ps(scale, dot));
        sum[p][h] = c == 0 ? term : _mm256_add_ps(sum[p][h], term);
      }
    }
  }
  for (int h = 0; h < 2; ++h) {
    const int64_t k0 = kb * 16 + h * 8;
    if (k0 >= v.k) continue;
    const int64_t count = v.k - k0 < 8 ? v.k - k0 : 8;
    for (int p = 0; p < PX; ++p) {
      const __m256 r = finish8(v.ep, k0, sum[p][h]);
      const int64_t at = image * v.out_image + oy * v.out_row + (ox0 + p) * v.out_pix + k0;
      if (v.out_f32) {
        store_first(v.out_f32 + at, count, r);
      } else {
        __m256i q = _mm256_cvtps_epi32(_mm256_mul_ps(r, _mm256_set1_ps(v.out_inv_scale)));
        q = _mm256_add_epi32(q, _mm256_set1_epi32(v.out_zero_point));
        q = _mm256_min_epi32(_mm256_max_epi32(q, _mm256_setzero_si256()), _mm256_set1_epi32(255));
        alignas(32) int32_t tmp[8];
        _mm256_store_si256((__m256i*)tmp, q);
        for (int64_t i = 0; i < count; ++i) v.out_u8[at + i] = uint8_t(tmp[i]);
      }
    }
  }
}

void conv_w2a8_impl(const ConvW2A8View& v, const uint8_t* in, int64_t n) {
  constexpr int64_t kPx = 4;
  const int64_t chunks = (v.ow + kPx - 1) / kPx;
  const int64_t items = n * v.oh * chunks * v.kblocks;
#pragma omp parallel for schedule(static)
  for (int64_t item = 0; item < items; ++item) {
    const int64_t kb = item % v.kblocks, chunk = item / v.kblocks % chunks;
    const int64_t oy = item / (v.kblocks * chunks) % v.oh,
                  image = item / (v.kblocks * chunks * v.oh);
    const int64_t ox0 = chunk * kPx, px = v.ow - ox0 < kPx ? v.ow - ox0 : kPx;
    switch (px) {
      case 1:
        w2a8_tile<1>(v, in, image, oy, ox0, kb);
        break;
      case 2:
        w2a8_tile<2>(v, in, image, oy, ox0, kb);
        break;
      case 3:
        w2a8_tile<3>(v, in, image, oy, ox0, kb);
        break;
      default:
        w2a8_tile<4>(v, in, image, oy, ox0, kb);
        break;
    }
  }
}

}  // namespace

void conv_w2a8_avx2(const ConvW2A8View& v, const uint8_t* in, int64_t n) {
  conv_w2a8_impl(v, in, n);
}

}  // namespace tnn::kernels::cpu
