// AVX-512 zero-skipping FP32 conv, channel quads (ConvF32Plan::width 4: symmetric plans with long
// tap lists): the tile functions conv_f32_avx512.cpp's driver calls for such plans.
#include "conv_f32_avx512.hpp"

#include <array>
#include <utility>

// GCC 12 flags the deliberately undefined pass-through operand of its own AVX-512 intrinsics
// (_mm512_undefined_ps) as maybe-uninitialized; the warning is a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tnn::kernels::cpu {

namespace {

// Quads of a symmetric plan: one load feeds the accumulators of up to four channels, which halves
// the loads per add of pairs (Zen 4 issues one zmm load but two zmm adds per cycle). Each of the
// 80 sign patterns gets its own fixed-work loop; uses alternate between the FADD and FMA pipes.
template <int S>
__attribute__((always_inline)) inline __m512 signed_add(__m512 acc, __m512 x, bool on_fma) {
  const __m512 ones = _mm512_set1_ps(1.0f);
  if (S > 0) return on_fma ? _mm512_fmadd_ps(x, ones, acc) : _mm512_add_ps(acc, x);
  return on_fma ? _mm512_fnmadd_ps(x, ones, acc) : _mm512_sub_ps(acc, x);
}

template <int P, int Code>
__attribute__((always_inline)) inline void quad_taps(__m512 (&acc)[4][P], const float* base,
                                                     const int32_t* e, const int32_t* end) {
  // Code = sum of (sign[c] + 1) * 3^(3 - c); 40 (all four zero) never occurs in a plan.
  constexpr int s0 = Code / 27 - 1, s1 = Code / 9 % 3 - 1, s2 = Code / 3 % 3 - 1, s3 = Code % 3 - 1;
  constexpr int uses = (s0 != 0) + (s1 != 0) + (s2 != 0) + (s3 != 0);
  if constexpr (uses > 0) {
    for (; e < end; ++e) {
      const float* p = base + *e;
      for (int j = 0; j < P; ++j) {
        __m512 x = _mm512_loadu_ps(p + 16 * j);
        if (uses > 1) asm("" : "+v"(x));  // one load for every channel (GCC would fold it)
        int u = j;
        if (s0 != 0) acc[0][j] = signed_add<s0>(acc[0][j], x, u++ % 2 == 1);
        if (s1 != 0) acc[1][j] = signed_add<s1>(acc[1][j], x, u++ % 2 == 1);
        if (s2 != 0) acc[2][j] = signed_add<s2>(acc[2][j], x, u++ % 2 == 1);
        if (s3 != 0) acc[3][j] = signed_add<s3>(acc[3][j], x, u % 2 == 1);
      }
    }
  }
}

// One input-channel block of a quad's tile, as conv_pair_tile_sym: partial sums of channel c,
// vector j at partial + 16 * (7 * c + j).
template <int P>
void conv_quad_tile_sym(const ConvF32View& v, const float* const base[2], float* out, int64_t quad,
                        int64_t v0, int64_t block, float* partial) {
  const bool first = block == 0, last = block == v.blocks - 1;
  __m512 sum[4][P];
  for (int t = 0; t < v.terms; ++t) {
    float* part = first && last ? nullptr : partial + t * ConvF32Plan::kPartialFloats;
    __m512 acc[4][P];
    for (int c = 0; c < 4; ++c)
      for (int j = 0; j < P; ++j)
        acc[c][j] = first ? _mm512_setzero_ps() : _mm512_load_ps(part + 16 * (7 * c + j));
    for_each_group(v, base, t, quad, v0, block, [&](const auto& g, auto b, auto e, auto end) {
      const int code =
          (g.sign[0] + 1) * 27 + (g.sign[1] + 1) * 9 + (g.sign[2] + 1) * 3 + g.sign[3] + 1;
      switch (code) {  // a jump table keeps the accumulators in registers across groups
        default:
          break;
          // clang-format off
#define TNN_QUAD_CASE(n) case n: quad_taps<P, n>(acc, b, e, end); break;
#define TNN_QUAD_CASES9(n) TNN_QUAD_CASE(n) TNN_QUAD_CASE(n + 1) TNN_QUAD_CASE(n + 2) \
    TNN_QUAD_CASE(n + 3) TNN_QUAD_CASE(n + 4) TNN_QUAD_CASE(n + 5) TNN_QUAD_CASE(n + 6) \
    TNN_QUAD_CASE(n + 7) TNN_QUAD_CASE(n + 8)
        TNN_QUAD_CASES9(0) TNN_QUAD_CASES9(9) TNN_QUAD_CASES9(18)
        TNN_QUAD_CASES9(27) TNN_QUAD_CASES9(36) TNN_QUAD_CASES9(45)
        TNN_QUAD_CASES9(54) TNN_QUAD_CASES9(63) TNN_QUAD_CASES9(72)
#undef TNN_QUAD_CASES9
#undef TNN_QUAD_CASE
          // clang-format on
      }
    });
    if (!last) {
      for (int c = 0; c < 4; ++c)
        for (int j = 0; j < P; ++j) _mm512_store_ps(part + 16 * (7 * c + j), acc[c][j]);
      continue;
    }
    for (int c = 0; c < 4; ++c) {
      const __m512 scale = _mm512_set1_ps(v.scale_pos[t][4 * quad + c]);
      for (int j = 0; j < P; ++j) {
        const __m512 term = _mm512_mul_ps(scale, acc[c][j]);
        sum[c][j] = t == 0 ? term : _mm512_add_ps(sum[c][j], term);
      }
    }
  }
  if (last)
    for (int c = 0; c < 4; ++c) store_channel<P>(v, out, 4 * quad + c, v0, sum[c]);
}

template <int... I>
constexpr std::array<ConvTileFn, sizeof...(I)> quad_tiles(std::integer_sequence<int, I...>) {
  return {conv_quad_tile_sym<I + 1>...};
}
constexpr auto kQuadTiles = quad_tiles(std::make_integer_sequence<int, 7>{});

}  // namespace

const ConvTileFn* conv_quad_tiles_avx512() {
  return kQuadTiles.data();
}

}  // namespace tnn::kernels::cpu
