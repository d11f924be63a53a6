// AVX2 zero-skipping FP32 conv (one 16-pixel vector of a channel pair per pass). Same data and
// summation order as conv_f32_scalar.cpp; compiled with -mavx2 -mfma.
#include "../simd_avx2.hpp"
#include "conv_f32_parallel.hpp"

// GCC 12 flags the deliberately undefined pass-through operand of its own AVX-512 intrinsics
// (_mm512_undefined_ps) as maybe-uninitialized; the warning is a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tnn::kernels::cpu {

namespace {

// One 16-pixel vector (2 ymm) of a channel pair per pass over the tap groups.
void conv_pair_vector(const ConvF32View& v, const float* const base[2], float* out, int64_t pair,
                      int64_t vec) {
  const int64_t ka = 2 * pair;
  __m256 sum[2][2];
  for (int t = 0; t < v.terms; ++t) {
    __m256 plus[2][2], minus[2][2];
    for (int c = 0; c < 2; ++c)
      for (int h = 0; h < 2; ++h) plus[c][h] = minus[c][h] = _mm256_setzero_ps();
    const int64_t tp = t * v.bundles + pair;  // plans of pairs (width 2)
    for (int64_t gi = v.block_groups[tp * v.blocks]; gi < v.block_groups[(tp + 1) * v.blocks];
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
          if (g.sign[0] > 0) plus[0][h] = _mm256_add_ps(plus[0][h], x);
          if (g.sign[0] < 0) minus[0][h] = _mm256_add_ps(minus[0][h], x);
          if (g.sign[1] > 0) plus[1][h] = _mm256_add_ps(plus[1][h], x);
          if (g.sign[1] < 0) minus[1][h] = _mm256_add_ps(minus[1][h], x);
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
    const float* res = v.residual ? v.residual + (dst - v.out_base) : nullptr;
    for (int h = 0; h < 2; ++h) {
      const int64_t first = 16 * vec + 8 * h;
      if (first >= v.pixels) continue;
      __m256 r = _mm256_fmadd_ps(sum[c][h], mul, add);
      if (res) r = _mm256_add_ps(r, load_first(res + 8 * h, v.pixels - first));
      if (v.ep.relu) r = _mm256_max_ps(r, _mm256_setzero_ps());
      store_first(dst + 8 * h, v.pixels - first, r);
    }
  }
}

void conv_f32_impl(const ConvF32View& v, const PlanesView* planes, const float* in, float* scratch,
                   float* out, int64_t n) {
  // Tiles of one vector each.
  auto span = [](int64_t vec) { return std::pair<int64_t, int64_t>(vec, vec + 1); };
  auto run_vector = [&v](const float* const base[2], float* out_image, int64_t vec, int64_t pair_lo,
                         int64_t pair_hi) {
    for (int64_t pair = pair_lo; pair < pair_hi; ++pair)
      conv_pair_vector(v, base, out_image, pair, vec);
  };
  conv_f32_parallel(v, planes, in, scratch, out, n, v.vectors, span, build_planes_scalar,
                    run_vector);
}

}  // namespace

void conv_f32_avx2(const ConvF32View& v, const PlanesView* planes, const float* in, float* scratch,
                   float* out, int64_t n) {
  conv_f32_impl(v, planes, in, scratch, out, n);
}

}  // namespace tnn::kernels::cpu
