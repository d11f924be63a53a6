// AVX-512 zero-skipping FP32 conv: channel pairs over tap lists (quads: conv_f32_quad_avx512.cpp),
// tap planes built by the thread that reads them (conv_f32_parallel.hpp, docs/kernels.md). Same
// data and summation order as conv_f32_scalar.cpp.
#include "conv_f32_avx512.hpp"
#include "conv_f32_parallel.hpp"

#include <algorithm>
#include <array>
#include <type_traits>
#include <utility>

// GCC 12 flags the deliberately undefined pass-through operand of its own AVX-512 intrinsics
// (_mm512_undefined_ps) as maybe-uninitialized; the warning is a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tnn::kernels::cpu {

namespace {

void build_planes(const PlanesView& v, const float* in, float* scratch, int64_t lo, int64_t hi);

// P vectors of 16 output pixels of a pair of channels (a, b). Taps come in groups of one sign
// pattern, so each loop below has fixed work: one aligned load feeds up to two accumulations.
// fma(x, 1, acc) rounds exactly like acc + x, so every accumulation may run on the FADD pipes
// (vaddps) or the FMA pipes (vfmadd): they alternate with the vector index and between the two
// channels, which keeps both pipe pairs busy whatever the group's signs.
struct PairAcc {
  __m512 plus_a[6], minus_a[6], plus_b[6], minus_b[6];
};

template <bool kOnFma>
__attribute__((always_inline)) inline __m512 accumulate(__m512 acc, __m512 x) {
  return kOnFma ? _mm512_fmadd_ps(x, _mm512_set1_ps(1.0f), acc) : _mm512_add_ps(acc, x);
}

template <int P, int SA, int SB>
__attribute__((always_inline)) inline void pair_taps(PairAcc& acc, const float* base,
                                                     const int32_t* e, const int32_t* end) {
  for (; e < end; ++e) {
    const float* p = base + *e;
    for (int j = 0; j < P; ++j) {
      __m512 x = _mm512_loadu_ps(p + 16 * j);
      // With two uses GCC would fold the load into both ops (two loads); pin x in a register.
      if (SA != 0 && SB != 0) asm("" : "+v"(x));
      const bool odd = j % 2 == 1;
      if (SA > 0)
        acc.plus_a[j] =
            odd ? accumulate<true>(acc.plus_a[j], x) : accumulate<false>(acc.plus_a[j], x);
      if (SA < 0)
        acc.minus_a[j] =
            odd ? accumulate<true>(acc.minus_a[j], x) : accumulate<false>(acc.minus_a[j], x);
      // Channel b takes the other pipe when both channels use this tap.
      const bool b_fma = SA != 0 ? !odd : odd;
      if (SB > 0)
        acc.plus_b[j] =
            b_fma ? accumulate<true>(acc.plus_b[j], x) : accumulate<false>(acc.plus_b[j], x);
      if (SB < 0)
        acc.minus_b[j] =
            b_fma ? accumulate<true>(acc.minus_b[j], x) : accumulate<false>(acc.minus_b[j], x);
    }
  }
}

template <int P>
__attribute__((always_inline)) inline void pair_taps_weighted(PairAcc& acc, const float* base,
                                                              const int32_t* e, const int32_t* end,
                                                              const float* wa, const float* wb) {
  for (; e < end; ++e, ++wa, ++wb) {
    const float* p = base + *e;
    const __m512 a = _mm512_set1_ps(*wa), b = _mm512_set1_ps(*wb);
    for (int j = 0; j < P; ++j) {
      __m512 x = _mm512_loadu_ps(p + 16 * j);
      asm("" : "+v"(x));  // one load for both FMAs
      acc.plus_a[j] = _mm512_fmadd_ps(x, a, acc.plus_a[j]);
      acc.plus_b[j] = _mm512_fmadd_ps(x, b, acc.plus_b[j]);
    }
  }
}

// Symmetric scales: one accumulator per channel, +1 taps add and -1 taps subtract
// (fnmadd(x, 1, acc) = acc - x exactly, on the FMA pipes), so tiles can be twice as tall.
template <int P, int SA, int SB>
__attribute__((always_inline)) inline void pair_taps_sym(__m512* acc_a, __m512* acc_b,
                                                         const float* base, const int32_t* e,
                                                         const int32_t* end) {
  const __m512 ones = _mm512_set1_ps(1.0f);
  for (; e < end; ++e) {
    const float* p = base + *e;
    for (int j = 0; j < P; ++j) {
      __m512 x = _mm512_loadu_ps(p + 16 * j);
      if (SA != 0 && SB != 0) asm("" : "+v"(x));  // one load for both channels
      const bool odd = j % 2 == 1, b_fma = SA != 0 ? !odd : odd;
      if (SA > 0) acc_a[j] = odd ? _mm512_fmadd_ps(x, ones, acc_a[j]) : _mm512_add_ps(acc_a[j], x);
      if (SA < 0) acc_a[j] = odd ? _mm512_fnmadd_ps(x, ones, acc_a[j]) : _mm512_sub_ps(acc_a[j], x);
      if (SB > 0)
        acc_b[j] = b_fma ? _mm512_fmadd_ps(x, ones, acc_b[j]) : _mm512_add_ps(acc_b[j], x);
      if (SB < 0)
        acc_b[j] = b_fma ? _mm512_fnmadd_ps(x, ones, acc_b[j]) : _mm512_sub_ps(acc_b[j], x);
    }
  }
}

// Runs f(SA, SB) with the group's two signs as std::integral_constant arguments, so that each
// sign pattern gets its own fixed-work loop (a group never has both signs 0).
template <class F>
__attribute__((always_inline)) inline void with_signs(const ConvF32Plan::Group& g, F&& f) {
  using M = std::integral_constant<int, -1>;
  using Z = std::integral_constant<int, 0>;
  using O = std::integral_constant<int, 1>;
  switch ((g.sign[0] + 1) * 3 + (g.sign[1] + 1)) {
    case 0:
      return f(M{}, M{});
    case 1:
      return f(M{}, Z{});
    case 2:
      return f(M{}, O{});
    case 3:
      return f(Z{}, M{});
    case 5:
      return f(Z{}, O{});
    case 6:
      return f(O{}, M{});
    case 7:
      return f(O{}, Z{});
    case 8:
      return f(O{}, O{});
    default:
      return;
  }
}

// One input-channel block of a pair's tile (ConvF32Plan::block_groups): the sums start at zero
// (block 0) or from the partial sums the previous block left in `partial` (this pair's, per
// term), and are finished (scales, terms, epilogue, store) after the last block.
template <int P>
void conv_pair_tile_sym(const ConvF32View& v, const float* const base[2], float* out, int64_t pair,
                        int64_t v0, int64_t block, float* partial) {
  const int64_t ka = 2 * pair, kb = ka + 1;
  const bool first = block == 0, last = block == v.blocks - 1;
  __m512 sum_a[P], sum_b[P];
  for (int t = 0; t < v.terms; ++t) {
    float* part = first && last ? nullptr : partial + t * ConvF32Plan::kPartialFloats;
    __m512 acc_a[P], acc_b[P];
    for (int j = 0; j < P; ++j) {
      acc_a[j] = first ? _mm512_setzero_ps() : _mm512_load_ps(part + 16 * j);
      acc_b[j] = first ? _mm512_setzero_ps() : _mm512_load_ps(part + 16 * (12 + j));
    }
    for_each_group(v, base, t, pair, v0, block, [&](const auto& g, auto b, auto e, auto end) {
      with_signs(g, [&](auto sa, auto sb) {
        pair_taps_sym<P, decltype(sa)::value, decltype(sb)::value>(acc_a, acc_b, b, e, end);
      });
    });
    if (!last) {
      for (int j = 0; j < P; ++j) {
        _mm512_store_ps(part + 16 * j, acc_a[j]);
        _mm512_store_ps(part + 16 * (12 + j), acc_b[j]);
      }
      continue;
    }
    const __m512 sa = _mm512_set1_ps(v.scale_pos[t][ka]), sb = _mm512_set1_ps(v.scale_pos[t][kb]);
    for (int j = 0; j < P; ++j) {
      const __m512 ta = _mm512_mul_ps(sa, acc_a[j]), tb = _mm512_mul_ps(sb, acc_b[j]);
      sum_a[j] = t == 0 ? ta : _mm512_add_ps(sum_a[j], ta);
      sum_b[j] = t == 0 ? tb : _mm512_add_ps(sum_b[j], tb);
    }
  }
  if (last) {
    store_channel<P>(v, out, ka, v0, sum_a);
    store_channel<P>(v, out, kb, v0, sum_b);
  }
}

// As conv_pair_tile_sym, with separate +1 and -1 sums (or weighted taps).
template <int P>
void conv_pair_tile(const ConvF32View& v, const float* const base[2], float* out, int64_t pair,
                    int64_t v0, int64_t block, float* partial) {
  const int64_t ka = 2 * pair, kb = ka + 1;
  const bool first = block == 0, last = block == v.blocks - 1;
  __m512 sum_a[P], sum_b[P];
  for (int t = 0; t < v.terms; ++t) {
    float* part = first && last ? nullptr : partial + t * ConvF32Plan::kPartialFloats;
    PairAcc acc;
    __m512* const arrays[4] = {acc.plus_a, acc.minus_a, acc.plus_b, acc.minus_b};
    for (int a = 0; a < 4; ++a)
      for (int j = 0; j < P; ++j)
        arrays[a][j] = first ? _mm512_setzero_ps() : _mm512_load_ps(part + 16 * (6 * a + j));
    for_each_group(v, base, t, pair, v0, block, [&](const auto& g, auto b, auto e, auto end) {
      if (v.weighted) {
        pair_taps_weighted<P>(acc, b, e, end, v.weights_a + g.first, v.weights_b + g.first);
        return;
      }
      with_signs(g, [&](auto sa, auto sb) {
        pair_taps<P, decltype(sa)::value, decltype(sb)::value>(acc, b, e, end);
      });
    });
    if (!last) {
      for (int a = 0; a < 4; ++a)
        for (int j = 0; j < P; ++j) _mm512_store_ps(part + 16 * (6 * a + j), arrays[a][j]);
      continue;
    }
    const __m512 spa = _mm512_set1_ps(v.scale_pos[t][ka]), sna = _mm512_set1_ps(v.scale_neg[t][ka]);
    const __m512 spb = _mm512_set1_ps(v.scale_pos[t][kb]), snb = _mm512_set1_ps(v.scale_neg[t][kb]);
    for (int j = 0; j < P; ++j) {
      __m512 ta = acc.plus_a[j], tb = acc.plus_b[j];
      if (!v.weighted) {
        ta = _mm512_sub_ps(_mm512_mul_ps(spa, acc.plus_a[j]), _mm512_mul_ps(sna, acc.minus_a[j]));
        tb = _mm512_sub_ps(_mm512_mul_ps(spb, acc.plus_b[j]), _mm512_mul_ps(snb, acc.minus_b[j]));
      }
      sum_a[j] = t == 0 ? ta : _mm512_add_ps(sum_a[j], ta);
      sum_b[j] = t == 0 ? tb : _mm512_add_ps(sum_b[j], tb);
    }
  }
  if (last) {
    store_channel<P>(v, out, ka, v0, sum_a);
    store_channel<P>(v, out, kb, v0, sum_b);
  }
}

// Tile functions indexed by tile width - 1 (in 16-pixel vectors): symmetric pairs up to 12, the
// other pairs (separate +1 and -1 sums) up to 6, quads up to 7.
template <int... I>
constexpr std::array<ConvTileFn, sizeof...(I)> sym_tiles(std::integer_sequence<int, I...>) {
  return {conv_pair_tile_sym<I + 1>...};
}
template <int... I>
constexpr std::array<ConvTileFn, sizeof...(I)> pair_tiles(std::integer_sequence<int, I...>) {
  return {conv_pair_tile<I + 1>...};
}
constexpr auto kSymTiles = sym_tiles(std::make_integer_sequence<int, 12>{});
constexpr auto kPairTiles = pair_tiles(std::make_integer_sequence<int, 6>{});

void conv_f32_impl(const ConvF32View& v, const PlanesView* planes, const float* in, float* scratch,
                   float* out, int64_t n) {
  const bool sym = v.symmetric && !v.weighted;
  // Widths are 1..12 (symmetric pairs), 1..6 (asymmetric, dense) or 1..7 (quads):
  // conv_f32_plan.cpp's tiles.
  const ConvTileFn* tile_fns = v.width == 4 ? conv_quad_tiles_avx512()
                               : sym        ? kSymTiles.data()
                                            : kPairTiles.data();
  // Block-major over the bundles of a tile: one block's tap planes serve every bundle while in L2.
  auto run_tile = [&v, tile_fns](const float* const base[2], float* out_image, int64_t tile,
                                 int64_t bundle_lo, int64_t bundle_hi) {
    const ConvTileFn fn = tile_fns[v.tile_size[tile] - 1];
    // The partial sums sit in this thread's scratch region, after its planes.
    float* partial = v.blocks > 1 ? const_cast<float*>(base[1]) + v.partial_offset : nullptr;
    const int64_t per_bundle = v.terms * ConvF32Plan::kPartialFloats;
    for (int64_t b = 0; b < v.blocks; ++b)
      for (int64_t bundle = bundle_lo; bundle < bundle_hi; ++bundle)
        fn(v, base, out_image, bundle, v.tile_first[tile], b,
           partial ? partial + bundle * per_bundle : nullptr);
  };
  conv_f32_parallel(v, planes, in, scratch, out, n, v.tiles, plan_tile_span(v), build_planes,
                    run_tile);
}

// ---------------------------------------------------------------- conv tap planes

// Positions [lo, hi) of one image's planes (whole rows or 16-float blocks), by one thread.
// Row by row, 16 columns at a time: a masked load (stride 1) or two loads and an even-lane
// permute (stride 2) give Q's columns, zeros outside [q_lo, q_hi), a masked store puts them at
// r*ow - sigma (lanes that would land before the plane are dropped).
void build_planes(const PlanesView& v, const float* in, float* scratch, int64_t lo, int64_t hi) {
  if (v.stride > 2) {
    build_planes_scalar(v, in, scratch, lo, hi);
    return;
  }
  const int64_t st = v.stride, ow = v.ow;
  if (v.flat_masks) {  // stride 1: channel planes in 16-float blocks, one masked load each
    for (int64_t plane = 0; plane < v.count; ++plane) {
      const ConvF32Plan::Plane& pl = v.planes[plane];
      const uint16_t* masks = v.flat_masks[plane];
      for (int64_t ch = 0; ch < v.c; ++ch) {
        float* dst = scratch + (plane * v.c + ch) * v.channel_stride;
        const float* src = in + ch * v.in_plane + pl.sigma + pl.xoff + (v.dy_min + 1) * v.w;
        for (int64_t i = lo / 16; i < (hi + 15) / 16; ++i)
          _mm512_store_ps(dst + 16 * i, _mm512_maskz_loadu_ps(masks[i], src + 16 * i));
      }
    }
    return;
  }
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int64_t plane = 0; plane < v.count; ++plane) {
    const ConvF32Plan::Plane& pl = v.planes[plane];
    // Columns q with 0 <= st*q + xoff < w.
    const int64_t q_lo = std::max<int64_t>((-pl.xoff + st - 1) / st, 0);
    const int64_t q_hi = pl.xoff >= v.w ? 0 : std::min<int64_t>((v.w - 1 - pl.xoff) / st + 1, ow);
    // Lane masks of each 16-column chunk, for rows that start inside the plane and read an
    // image row; row 0 (shifted by sigma) and padding rows take the general path.
    auto masks_for = [&](int64_t q0, int64_t at, bool row_inside, __mmask16& store,
                         __mmask16& value) {
      const __m512i q = _mm512_add_epi32(_mm512_set1_epi32(int32_t(q0)), lane);
      store = _mm512_cmplt_epi32_mask(q, _mm512_set1_epi32(int32_t(ow))) &
              _mm512_cmpge_epi32_mask(q, _mm512_set1_epi32(int32_t(-at)));
      value = row_inside
                  ? __mmask16(_mm512_cmpge_epi32_mask(q, _mm512_set1_epi32(int32_t(q_lo))) &
                              _mm512_cmplt_epi32_mask(q, _mm512_set1_epi32(int32_t(q_hi))) & store)
                  : __mmask16(0);
    };
    constexpr int kChunks = 8;
    const int64_t chunks = (ow + 15) / 16;
    __mmask16 store_c[kChunks], value_c[kChunks];
    for (int64_t c = 0; c < chunks && c < kChunks; ++c)
      masks_for(16 * c, 0, true, store_c[c], value_c[c]);
    auto copy_chunk = [&](const float* src, float* dst, __mmask16 store, __mmask16 value) {
      __m512 x;
      if (st == 1) {
        x = _mm512_maskz_loadu_ps(value, src);
      } else {
        // Q lanes 0..15 come from source floats 0, 2, ..., 30.
        const __mmask16 lo_lanes = __mmask16(_pdep_u32(value & 0xFF, 0x5555)),
                        hi_lanes = __mmask16(_pdep_u32(value >> 8, 0x5555));
        x = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(lo_lanes, src), even,
                                   _mm512_maskz_loadu_ps(hi_lanes, src + 16));
      }
      _mm512_mask_storeu_ps(dst, store, x);
    };
    const int64_t r_lo = (lo + pl.sigma) / ow;  // the row holding position lo
    for (int64_t ch = 0; ch < v.c; ++ch) {
      float* chan = scratch + (plane * v.c + ch) * v.channel_stride;
      const float* src_chan = in + ch * v.in_plane;
      for (int64_t r = r_lo; r < v.rows && r * ow - pl.sigma < hi; ++r) {
        const int64_t at = r * ow - pl.sigma;
        const int64_t iy = st * (r + v.dy_min) + pl.py;
        const bool row_inside = iy >= 0 && iy < v.h;
        const float* src = src_chan + (iy + 1) * v.w + pl.xoff;
        const bool common = at >= 0 && row_inside && chunks <= kChunks;
        for (int64_t c = 0; c < chunks; ++c) {
          __mmask16 store, value;
          if (common) {
            store = store_c[c];
            value = value_c[c];
          } else {
            masks_for(16 * c, at, row_inside, store, value);
          }
          copy_chunk(src + st * 16 * c, chan + at + 16 * c, store, value);
        }
      }
    }
  }
}

}  // namespace

void conv_f32_avx512(const ConvF32View& v, const PlanesView* planes, const float* in,
                     float* scratch, float* out, int64_t n) {
  conv_f32_impl(v, planes, in, scratch, out, n);
}

}  // namespace tnn::kernels::cpu
