// AVX-512 VNNI W2A8 conv: 2-bit weights unpacked per register tile, 1/2/4 output-channel blocks
// per broadcast (docs/kernels.md). Same results as conv_w2a8_scalar.cpp.
#include "../simd_avx512.hpp"
#include "conv_kernels.hpp"

#include <array>
#include <utility>

// GCC 12 flags the deliberately undefined pass-through operand of its own AVX-512 intrinsics
// (_mm512_undefined_ps) as maybe-uninitialized; the warning is a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tnn::kernels::cpu {

namespace {

// PX output pixels of one row x NB blocks of 16 output channels. Per 64-byte block of 2-bit
// codes (16 channels x 16 patch columns): 4 shift/and/sub steps give s8 weights for 4 quads;
// each quad's 4 input bytes are broadcast once and vpdpbusd'ed into the NB blocks of every
// pixel's accumulators. (Expanding the weights to s8 at plan time measured no faster.)
template <int NB, int PX, bool kUnpacked>
void w2a8_tile(const ConvW2A8View& v, const uint8_t* in, int64_t image, int64_t oy, int64_t ox0,
               int64_t kb0) {
  const __m512i three = _mm512_set1_epi8(3), one = _mm512_set1_epi8(1);
  const uint8_t* px0 = in + image * v.in_image + oy * v.in_row + ox0 * v.in_pix;
  const int64_t out_at = image * v.out_image + oy * v.out_row + ox0 * v.out_pix;
  __m512 sum[PX][NB];
  for (int c = 0; c < v.comps; ++c) {
    __m512i acc[PX][NB];
    for (int p = 0; p < PX; ++p)
      for (int b = 0; b < NB; ++b) acc[p][b] = _mm512_setzero_si512();
    const uint32_t* codes = v.codes[c] + kb0 * v.blocks * 16;
    const int8_t* wide = kUnpacked ? v.unpacked[c] + kb0 * v.blocks * 256 : nullptr;
    for (int64_t blk = 0; blk < v.blocks; ++blk) {
      __m512i z[NB];
      if (!kUnpacked)
        for (int b = 0; b < NB; ++b) z[b] = _mm512_loadu_si512(codes + (b * v.blocks + blk) * 16);
      for (int q = 0; q < 4; ++q) {
        __m512i w[NB];
        for (int b = 0; b < NB; ++b)
          w[b] = kUnpacked ? _mm512_loadu_si512(wide + ((b * v.blocks + blk) * 4 + q) * 64)
                           : _mm512_sub_epi8(
                                 _mm512_and_si512(_mm512_srli_epi16(z[b], 2 * q), three), one);
        const uint8_t* xq = px0 + v.quad_offset[blk * 4 + q];
        for (int p = 0; p < PX; ++p) {
          int32_t quad;
          __builtin_memcpy(&quad, xq + p * v.in_pix, 4);
          const __m512i xb = _mm512_set1_epi32(quad);
          for (int b = 0; b < NB; ++b) acc[p][b] = _mm512_dpbusd_epi32(acc[p][b], xb, w[b]);
        }
      }
    }
    if (v.comps == 1) {  // folded epilogue straight from the int32 sums
      for (int b = 0; b < NB; ++b) {
        const int64_t k0 = (kb0 + b) * 16;
        const __mmask16 m = first_lanes(v.k - k0);
        const __m512 fs = _mm512_loadu_ps(v.fold_scale + k0),
                     fb = _mm512_loadu_ps(v.fold_bias + k0);
        for (int p = 0; p < PX; ++p) {
          const __m512 r = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[p][b]), fs, fb);
          const int64_t at = out_at + p * v.out_pix + k0;
          if (v.out_f32) {
            _mm512_mask_storeu_ps(v.out_f32 + at, m,
                                  v.ep.relu ? _mm512_max_ps(r, _mm512_setzero_ps()) : r);
          } else {
            const __m512i q =
                _mm512_max_epi32(_mm512_cvtps_epi32(r), _mm512_set1_epi32(int32_t(v.fold_low)));
            _mm512_mask_cvtusepi32_storeu_epi8(v.out_u8 + at, m, q);
          }
        }
      }
      return;
    }
    const __m512 in_scale = _mm512_set1_ps(v.in_scale);
    const __m512i zp = _mm512_set1_epi32(v.in_zero_point);
    for (int b = 0; b < NB; ++b) {
      const int64_t k0 = (kb0 + b) * 16;
      const __m512i comp = _mm512_mullo_epi32(zp, _mm512_loadu_si512(v.wsum[c] + k0));
      const __m512 scale = _mm512_loadu_ps(v.scale[c] + k0);
      for (int p = 0; p < PX; ++p) {
        const __m512 dot = _mm512_cvtepi32_ps(_mm512_sub_epi32(acc[p][b], comp));
        const __m512 term = _mm512_mul_ps(in_scale, _mm512_mul_ps(scale, dot));
        sum[p][b] = c == 0 ? term : _mm512_add_ps(sum[p][b], term);
      }
    }
  }
  for (int b = 0; b < NB; ++b) {
    const int64_t k0 = (kb0 + b) * 16;
    const __mmask16 m = first_lanes(v.k - k0);
    for (int p = 0; p < PX; ++p) {
      const __m512 r = finish(v.ep, k0, sum[p][b]);
      const int64_t at = out_at + p * v.out_pix + k0;
      if (v.out_f32) {
        _mm512_mask_storeu_ps(v.out_f32 + at, m, r);
      } else {
        __m512i q = _mm512_cvtps_epi32(_mm512_mul_ps(r, _mm512_set1_ps(v.out_inv_scale)));
        q = _mm512_add_epi32(q, _mm512_set1_epi32(v.out_zero_point));
        q = _mm512_max_epi32(q, _mm512_setzero_si512());
        _mm512_mask_cvtusepi32_storeu_epi8(v.out_u8 + at, m, q);
      }
    }
  }
}

// Tile functions of NB channel blocks indexed by pixel count - 1 (NB * PX accumulators + NB
// weight registers must fit the 32 zmm: PX <= 4 / 8 / 12 for NB = 4 / 2 / 1).
using W2A8TileFn = void (*)(const ConvW2A8View&, const uint8_t*, int64_t, int64_t, int64_t,
                            int64_t);
template <int NB, bool kUnpacked, int... I>
constexpr std::array<W2A8TileFn, sizeof...(I)> w2a8_tiles(std::integer_sequence<int, I...>) {
  return {w2a8_tile<NB, I + 1, kUnpacked>...};
}
template <bool kUnpacked>
struct W2A8Tiles {
  static constexpr auto nb4 = w2a8_tiles<4, kUnpacked>(std::make_integer_sequence<int, 4>{});
  static constexpr auto nb2 = w2a8_tiles<2, kUnpacked>(std::make_integer_sequence<int, 8>{});
  static constexpr auto nb1 = w2a8_tiles<1, kUnpacked>(std::make_integer_sequence<int, 12>{});
};

template <bool kUnpacked>
void conv_w2a8_impl(const ConvW2A8View& v, const uint8_t* in, int64_t n) {
  // Output-channel blocks per tile: each broadcast feeds NB vpdpbusd; pixels per tile so that
  // NB * PX accumulators + NB weight registers fit the 32 zmm.
  const int nb = v.kblocks % 4 == 0 ? 4 : v.kblocks % 2 == 0 ? 2 : 1;
  const int64_t max_px = nb == 4 ? 4 : nb == 2 ? 8 : 12;
  const int64_t chunks = (v.ow + max_px - 1) / max_px, kgroups = v.kblocks / nb;
  const int64_t items = n * v.oh * chunks * kgroups;
#pragma omp parallel for schedule(static)
  for (int64_t item = 0; item < items; ++item) {
    const int64_t kg = item % kgroups, chunk = item / kgroups % chunks;
    const int64_t oy = item / (kgroups * chunks) % v.oh, image = item / (kgroups * chunks * v.oh);
    // Balanced chunks of the row: the first (ow % chunks) get one more pixel.
    const int64_t base = v.ow / chunks, extra = v.ow % chunks;
    const int64_t ox0 = chunk * base + (chunk < extra ? chunk : extra);
    const int64_t px = base + (chunk < extra ? 1 : 0);
    using T = W2A8Tiles<kUnpacked>;
    const W2A8TileFn* tiles = nb == 4 ? T::nb4.data() : nb == 2 ? T::nb2.data() : T::nb1.data();
    tiles[px - 1](v, in, image, oy, ox0, kg * nb);
  }
}

}  // namespace

void conv_w2a8_avx512(const ConvW2A8View& v, const uint8_t* in, int64_t n) {
  conv_w2a8_impl<false>(v, in, n);
}

// The same tiles reading weights unpacked to s8 at plan time: no shift / and / sub per block,
// which on CPUs whose vector ALU ports also run vpdpbusd (Intel) compete with it.
void conv_w2a8_unpacked_avx512(const ConvW2A8View& v, const uint8_t* in, int64_t n) {
  conv_w2a8_impl<true>(v, in, n);
}

}  // namespace tnn::kernels::cpu
