// AVX2 + FMA kernels (8 lanes). Same data and summation order as kernels_scalar.cpp; compiled
// with per-file -mavx2 -mfma flags and only called after a CPUID check.
#include "views.hpp"

#include <immintrin.h>

// GCC 12 flags the deliberately undefined pass-through operand of its own AVX-512 intrinsics
// (_mm512_undefined_ps) as maybe-uninitialized; the warning is a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tnn::kernels::cpu {

namespace {

__m256 finish8(const EpilogueView& ep, int64_t row0, __m256 v) {
  v = _mm256_fmadd_ps(v, _mm256_loadu_ps(ep.mul + row0), _mm256_loadu_ps(ep.add + row0));
  return ep.relu ? _mm256_max_ps(v, _mm256_setzero_ps()) : v;
}

void store_first(float* dst, int64_t count, __m256 v) {
  if (count >= 8) {
    _mm256_storeu_ps(dst, v);
    return;
  }
  alignas(32) float tmp[8];
  _mm256_store_ps(tmp, v);
  for (int64_t i = 0; i < count; ++i) dst[i] = tmp[i];
}

// ---------------------------------------------------------------- GEMV / GEMM, FP32 (LUT)

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

void gemm_f32(const LutView& w, const float* x, int64_t n, float* y, float* tables) {
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

// ---------------------------------------------------------------- GEMV / GEMM, W2A8

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

void gemm_w2a8(const VnniView& w, const int8_t* xs, const int32_t* xsum, int64_t n, float in_scale,
               int32_t zero_point, float* y) {
  const int64_t cp = w.col_blocks * 16;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t rb = 0; rb < w.row_blocks; ++rb)
      w2a8_row_block(w, xs + i * cp, xsum[i], in_scale, zero_point, rb, y + i * w.rows);
}

// ---------------------------------------------------------------- conv, FP32 (zero-skipping)

// One 16-pixel vector (2 ymm) of a channel pair per pass over the tap groups.
void conv_pair_vector(const ConvF32View& v, const float* const base[2], float* out, int64_t pair,
                      int64_t vec) {
  const int64_t ka = 2 * pair;
  __m256 sum[2][2];
  for (int t = 0; t < v.terms; ++t) {
    __m256 plus[2][2], minus[2][2];
    for (int c = 0; c < 2; ++c)
      for (int h = 0; h < 2; ++h) plus[c][h] = minus[c][h] = _mm256_setzero_ps();
    for (int64_t gi = v.group_index[t * v.pairs + pair]; gi < v.group_index[t * v.pairs + pair + 1];
         ++gi) {
      const ConvF32Plan::Group g = v.groups[gi];
      const float* b = base[g.base] + 16 * vec;
      for (int32_t e = g.first; e < g.last; ++e) {
        const float* p = b + v.offsets[e];
        for (int h = 0; h < 2; ++h) {
          const __m256 x = _mm256_loadu_ps(p + 8 * h);
          if (v.weighted) {
            plus[0][h] = _mm256_fmadd_ps(x, _mm256_set1_ps(v.weights_a[e]), plus[0][h]);
            plus[1][h] = _mm256_fmadd_ps(x, _mm256_set1_ps(v.weights_b[e]), plus[1][h]);
            continue;
          }
          if (g.sign_a > 0) plus[0][h] = _mm256_add_ps(plus[0][h], x);
          if (g.sign_a < 0) minus[0][h] = _mm256_add_ps(minus[0][h], x);
          if (g.sign_b > 0) plus[1][h] = _mm256_add_ps(plus[1][h], x);
          if (g.sign_b < 0) minus[1][h] = _mm256_add_ps(minus[1][h], x);
        }
      }
    }
    for (int c = 0; c < 2; ++c) {
      const __m256 sp = _mm256_set1_ps(v.scale_pos[t][ka + c]);
      const __m256 sn = _mm256_set1_ps(v.scale_neg[t][ka + c]);
      for (int h = 0; h < 2; ++h) {
        const __m256 term = v.weighted ? plus[c][h]
                                       : _mm256_sub_ps(_mm256_mul_ps(sp, plus[c][h]),
                                                       _mm256_mul_ps(sn, minus[c][h]));
        sum[c][h] = t == 0 ? term : _mm256_add_ps(sum[c][h], term);
      }
    }
  }
  for (int c = 0; c < 2; ++c) {
    const int64_t k = ka + c;
    if (k >= v.k) break;
    const __m256 mul = _mm256_set1_ps(v.ep.mul[k]), add = _mm256_set1_ps(v.ep.add[k]);
    float* dst = out + k * v.out_plane + v.out_first + 16 * vec;
    for (int h = 0; h < 2; ++h) {
      __m256 r = _mm256_fmadd_ps(sum[c][h], mul, add);
      if (v.ep.relu) r = _mm256_max_ps(r, _mm256_setzero_ps());
      const int64_t first = 16 * vec + 8 * h;
      if (first < v.pixels) store_first(dst + 8 * h, v.pixels - first, r);
    }
  }
}

void conv_f32(const ConvF32View& v, const PlanesView* planes, const float* in, float* scratch,
              float* out, int64_t n) {
  const int64_t items = n * v.vectors * v.pairs;
#pragma omp parallel
  {
    if (planes) build_planes_scalar(*planes, in, v.in_stride, n, scratch, v.scratch_stride);
#pragma omp for schedule(static)
    for (int64_t item = 0; item < items; ++item) {
      const int64_t image = item / (v.vectors * v.pairs), vec = item / v.pairs % v.vectors;
      const float* const base[2] = {in + image * v.in_stride, scratch + image * v.scratch_stride};
      conv_pair_vector(v, base, out + image * v.out_stride, item % v.pairs, vec);
    }
  }
}

// ---------------------------------------------------------------- conv, W2A8

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

void conv_w2a8(const ConvW2A8View& v, const uint8_t* in, int64_t n) {
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

const KernelTable kAvx2Kernels = {gemm_f32,       gemm_w2a8,     conv_f32,          conv_w2a8,
                                  add_f32_scalar, add_u8_scalar, quantize_u8_scalar};

}  // namespace tnn::kernels::cpu
