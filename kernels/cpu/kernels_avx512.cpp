// AVX-512 (F/BW/VL/DQ + VNNI) kernels. Compiled with per-file -mavx512* flags and only called
// after a CPUID check (dispatch.cpp). Same data and summation order as kernels_scalar.cpp.
#include "views.hpp"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <utility>

// GCC 12 flags the deliberately undefined pass-through operand of its own AVX-512 intrinsics
// (_mm512_undefined_ps) as maybe-uninitialized; the warning is a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tnn::kernels::cpu {

namespace {

__m512 finish(const EpilogueView& ep, int64_t row0, __m512 v) {
  v = _mm512_fmadd_ps(v, _mm512_loadu_ps(ep.mul + row0), _mm512_loadu_ps(ep.add + row0));
  return ep.relu ? _mm512_max_ps(v, _mm512_setzero_ps()) : v;
}

__mmask16 first_lanes(int64_t count) {
  return count >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << count) - 1);
}

// ---------------------------------------------------------------- GEMV / GEMM, FP32 (LUT)

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

void gemm_f32(const LutView& w, const float* x, int64_t n, float* y, float* tables) {
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

// ---------------------------------------------------------------- GEMV / GEMM, W2A8 (VNNI)

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

void gemm_w2a8(const VnniView& w, const int8_t* xs, const int32_t* xsum, int64_t n, float in_scale,
               int32_t zero_point, float* y) {
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

// ---------------------------------------------------------------- conv, FP32 (zero-skipping)

void build_planes(const PlanesView& v, const float* in, int64_t in_stride, int64_t images,
                  float* scratch, int64_t scratch_stride);

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

// Writes P vectors of the pair's two output channels (affine, ReLU, tail mask).
template <int P>
__attribute__((always_inline)) inline void store_pair(const ConvF32View& v, float* out,
                                                      int64_t pair, int64_t v0, const __m512* sum_a,
                                                      const __m512* sum_b) {
  for (int half = 0; half < 2; ++half) {
    const int64_t k = 2 * pair + half;
    if (k >= v.k) break;
    const __m512 mul = _mm512_set1_ps(v.ep.mul[k]), add = _mm512_set1_ps(v.ep.add[k]);
    float* dst = out + k * v.out_plane + v.out_first + 16 * v0;
    for (int j = 0; j < P; ++j) {
      __m512 r = _mm512_fmadd_ps(half ? sum_b[j] : sum_a[j], mul, add);
      if (v.ep.relu) r = _mm512_max_ps(r, _mm512_setzero_ps());
      _mm512_mask_storeu_ps(dst + 16 * j, first_lanes(v.pixels - 16 * (v0 + j)), r);
    }
  }
}

template <int P>
void conv_pair_tile_sym(const ConvF32View& v, const float* const base[2], float* out, int64_t pair,
                        int64_t v0) {
  const int64_t ka = 2 * pair, kb = ka + 1;
  __m512 sum_a[P], sum_b[P];
  for (int t = 0; t < v.terms; ++t) {
    __m512 acc_a[P], acc_b[P];
    for (int j = 0; j < P; ++j) acc_a[j] = acc_b[j] = _mm512_setzero_ps();
    const int64_t gi0 = v.group_index[t * v.pairs + pair],
                  gi1 = v.group_index[t * v.pairs + pair + 1];
    for (int64_t gi = gi0; gi < gi1; ++gi) {
      const ConvF32Plan::Group g = v.groups[gi];
      const float* b = base[g.base] + 16 * v0;
      const int32_t* e = v.offsets + g.first;
      const int32_t* end = v.offsets + g.last;
      switch ((g.sign_a + 1) * 3 + (g.sign_b + 1)) {
        case 0:
          pair_taps_sym<P, -1, -1>(acc_a, acc_b, b, e, end);
          break;
        case 1:
          pair_taps_sym<P, -1, 0>(acc_a, acc_b, b, e, end);
          break;
        case 2:
          pair_taps_sym<P, -1, 1>(acc_a, acc_b, b, e, end);
          break;
        case 3:
          pair_taps_sym<P, 0, -1>(acc_a, acc_b, b, e, end);
          break;
        case 5:
          pair_taps_sym<P, 0, 1>(acc_a, acc_b, b, e, end);
          break;
        case 6:
          pair_taps_sym<P, 1, -1>(acc_a, acc_b, b, e, end);
          break;
        case 7:
          pair_taps_sym<P, 1, 0>(acc_a, acc_b, b, e, end);
          break;
        case 8:
          pair_taps_sym<P, 1, 1>(acc_a, acc_b, b, e, end);
          break;
        default:
          break;
      }
    }
    const __m512 sa = _mm512_set1_ps(v.scale_pos[t][ka]), sb = _mm512_set1_ps(v.scale_pos[t][kb]);
    for (int j = 0; j < P; ++j) {
      const __m512 ta = _mm512_mul_ps(sa, acc_a[j]), tb = _mm512_mul_ps(sb, acc_b[j]);
      sum_a[j] = t == 0 ? ta : _mm512_add_ps(sum_a[j], ta);
      sum_b[j] = t == 0 ? tb : _mm512_add_ps(sum_b[j], tb);
    }
  }
  store_pair<P>(v, out, pair, v0, sum_a, sum_b);
}

template <int P>
void conv_pair_tile(const ConvF32View& v, const float* const base[2], float* out, int64_t pair,
                    int64_t v0) {
  const int64_t ka = 2 * pair, kb = ka + 1;
  __m512 sum_a[P], sum_b[P];
  for (int t = 0; t < v.terms; ++t) {
    PairAcc acc;
    for (int j = 0; j < P; ++j)
      acc.plus_a[j] = acc.minus_a[j] = acc.plus_b[j] = acc.minus_b[j] = _mm512_setzero_ps();
    const int64_t gi0 = v.group_index[t * v.pairs + pair],
                  gi1 = v.group_index[t * v.pairs + pair + 1];
    for (int64_t gi = gi0; gi < gi1; ++gi) {
      const ConvF32Plan::Group g = v.groups[gi];
      const float* b = base[g.base] + 16 * v0;
      const int32_t* e = v.offsets + g.first;
      const int32_t* end = v.offsets + g.last;
      if (v.weighted) {
        pair_taps_weighted<P>(acc, b, e, end, v.weights_a + g.first, v.weights_b + g.first);
        continue;
      }
      switch ((g.sign_a + 1) * 3 + (g.sign_b + 1)) {
        case 0:
          pair_taps<P, -1, -1>(acc, b, e, end);
          break;
        case 1:
          pair_taps<P, -1, 0>(acc, b, e, end);
          break;
        case 2:
          pair_taps<P, -1, 1>(acc, b, e, end);
          break;
        case 3:
          pair_taps<P, 0, -1>(acc, b, e, end);
          break;
        case 5:
          pair_taps<P, 0, 1>(acc, b, e, end);
          break;
        case 6:
          pair_taps<P, 1, -1>(acc, b, e, end);
          break;
        case 7:
          pair_taps<P, 1, 0>(acc, b, e, end);
          break;
        case 8:
          pair_taps<P, 1, 1>(acc, b, e, end);
          break;
        default:
          break;
      }
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
  store_pair<P>(v, out, pair, v0, sum_a, sum_b);
}

// Tile functions indexed by tile width - 1 (in 16-pixel vectors): symmetric ones up to 12, the
// others (separate +1 and -1 sums) up to 6.
using ConvTileFn = void (*)(const ConvF32View&, const float* const[2], float*, int64_t, int64_t);
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

void conv_f32(const ConvF32View& v, const PlanesView* planes, const float* in, float* scratch,
              float* out, int64_t n) {
  const int64_t items = n * v.tiles * v.pairs;
  const bool sym = v.symmetric && !v.weighted;
#pragma omp parallel
  {
    if (planes) build_planes(*planes, in, v.in_stride, n, scratch, v.scratch_stride);
#pragma omp for schedule(static)
    for (int64_t item = 0; item < items; ++item) {
      const int64_t image = item / (v.tiles * v.pairs), tile = item / v.pairs % v.tiles;
      const int64_t pair = item % v.pairs;
      const int64_t v0 = v.tile_first[tile];
      const float* const base[2] = {in + image * v.in_stride, scratch + image * v.scratch_stride};
      float* dst = out + image * v.out_stride;
      // Widths are 1..12 (symmetric) or 1..6 (asymmetric, dense): prepare_conv_f32.cpp's tiles.
      (sym ? kSymTiles.data() : kPairTiles.data())[v.tile_size[tile] - 1](v, base, dst, pair, v0);
    }
  }  // omp parallel
}

// ---------------------------------------------------------------- conv, W2A8 (VNNI)

// PX output pixels of one row x NB blocks of 16 output channels. Per 64-byte block of 2-bit
// codes (16 channels x 16 patch columns): 4 shift/and/sub steps give s8 weights for 4 quads;
// each quad's 4 input bytes are broadcast once and vpdpbusd'ed into the NB blocks of every
// pixel's accumulators. (Expanding the weights to s8 at plan time measured no faster.)
template <int NB, int PX>
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
    for (int64_t blk = 0; blk < v.blocks; ++blk) {
      __m512i z[NB];
      for (int b = 0; b < NB; ++b) z[b] = _mm512_loadu_si512(codes + (b * v.blocks + blk) * 16);
      for (int q = 0; q < 4; ++q) {
        __m512i w[NB];
        for (int b = 0; b < NB; ++b)
          w[b] = _mm512_sub_epi8(_mm512_and_si512(_mm512_srli_epi16(z[b], 2 * q), three), one);
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
template <int NB, int... I>
constexpr std::array<W2A8TileFn, sizeof...(I)> w2a8_tiles(std::integer_sequence<int, I...>) {
  return {w2a8_tile<NB, I + 1>...};
}
constexpr auto kW2A8Tiles4 = w2a8_tiles<4>(std::make_integer_sequence<int, 4>{});
constexpr auto kW2A8Tiles2 = w2a8_tiles<2>(std::make_integer_sequence<int, 8>{});
constexpr auto kW2A8Tiles1 = w2a8_tiles<1>(std::make_integer_sequence<int, 12>{});

void conv_w2a8(const ConvW2A8View& v, const uint8_t* in, int64_t n) {
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
    const W2A8TileFn* tiles = nb == 4   ? kW2A8Tiles4.data()
                              : nb == 2 ? kW2A8Tiles2.data()
                                        : kW2A8Tiles1.data();
    tiles[px - 1](v, in, image, oy, ox0, kg * nb);
  }
}

// ---------------------------------------------------------------- conv tap planes

// Called inside the conv's parallel region: the loops are orphaned `omp for`s.
// Row by row, 16 columns at a time: a masked load (stride 1) or two loads and an even-lane
// permute (stride 2) give Q's columns, zeros outside [q_lo, q_hi), a masked store puts them at
// r*ow - sigma (lanes that would land before the plane are dropped).
void build_planes(const PlanesView& v, const float* in, int64_t in_stride, int64_t images,
                  float* scratch, int64_t scratch_stride) {
  if (v.stride > 2) {
    build_planes_scalar(v, in, in_stride, images, scratch, scratch_stride);
    return;
  }
  const int64_t jobs = images * v.count * v.c, st = v.stride, ow = v.ow;
  if (v.flat_masks) {  // stride 1: whole channel planes, one masked load per 16 floats
#pragma omp for schedule(static)
    for (int64_t job = 0; job < jobs; ++job) {
      const int64_t image = job / (v.count * v.c), plane = job / v.c % v.count, ch = job % v.c;
      const ConvF32Plan::Plane& pl = v.planes[plane];
      float* dst = scratch + image * scratch_stride + (plane * v.c + ch) * v.channel_stride;
      const float* src =
          in + image * in_stride + ch * v.in_plane + pl.sigma + pl.xoff + (v.dy_min + 1) * v.w;
      const uint16_t* masks = v.flat_masks[plane];
      for (int64_t i = 0; i < v.channel_stride / 16; ++i)
        _mm512_store_ps(dst + 16 * i, _mm512_maskz_loadu_ps(masks[i], src + 16 * i));
    }
    return;
  }
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
#pragma omp for schedule(static)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t image = job / (v.count * v.c), plane = job / v.c % v.count, ch = job % v.c;
    const ConvF32Plan::Plane& pl = v.planes[plane];
    float* chan = scratch + image * scratch_stride + (plane * v.c + ch) * v.channel_stride;
    const float* src_chan = in + image * in_stride + ch * v.in_plane;
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
        const __mmask16 lo = __mmask16(_pdep_u32(value & 0xFF, 0x5555)),
                        hi = __mmask16(_pdep_u32(value >> 8, 0x5555));
        x = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(lo, src), even,
                                   _mm512_maskz_loadu_ps(hi, src + 16));
      }
      _mm512_mask_storeu_ps(dst, store, x);
    };
    for (int64_t r = 0; r < v.rows; ++r) {
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

// ---------------------------------------------------------------- elementwise (engine)

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

const KernelTable kAvx512Kernels = {gemm_f32, gemm_w2a8, conv_f32,   conv_w2a8,
                                    add_f32,  add_u8,    quantize_u8};

}  // namespace tnn::kernels::cpu
