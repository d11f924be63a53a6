// Internal: what the AVX-512 FP32 conv files share (conv_f32_avx512.cpp: pairs, the driver and
// the plane builder; conv_f32_quad_avx512.cpp: quads). Include only from files compiled with
// AVX-512 flags.
#pragma once

#include "../simd_avx512.hpp"
#include "conv_kernels.hpp"

namespace tnn::kernels::cpu {

// A tile function: one input-channel block of one bundle's tile (ConvF32Plan::block_groups):
// (view, bases, output image, bundle, first vector, block, the bundle's partial sums).
using ConvTileFn = void (*)(const ConvF32View&, const float* const[2], float*, int64_t, int64_t,
                            int64_t, float*);

// The quad tile functions, indexed by tile width - 1 (1..7 vectors).
const ConvTileFn* conv_quad_tiles_avx512();

namespace {

// Calls f(group, tile base, first offset, end offset) for each tap group of one input-channel
// block of a (term, bundle) (ConvF32Plan::block_groups); the tile base is the group's base
// (input or copied planes) advanced to the tile's first vector v0.
template <class F>
__attribute__((always_inline)) inline void for_each_group(const ConvF32View& v,
                                                          const float* const base[2], int term,
                                                          int64_t bundle, int64_t v0, int64_t block,
                                                          F&& f) {
  const int64_t bi = (term * v.bundles + bundle) * v.blocks + block;
  for (int64_t gi = v.block_groups[bi]; gi < v.block_groups[bi + 1]; ++gi) {
    const ConvF32Plan::Group g = v.groups[gi];
    f(g, base[g.base] + 16 * v0, v.offsets + g.first, v.offsets + g.last);
  }
}

// Writes P vectors of output channel k (affine, residual, ReLU, tail mask); channels past the
// last one (padding of the last bundle) are skipped.
template <int P>
__attribute__((always_inline)) inline void store_channel(const ConvF32View& v, float* out,
                                                         int64_t k, int64_t v0, const __m512* sum) {
  if (k >= v.k) return;
  const __m512 mul = _mm512_set1_ps(v.ep.mul[k]), add = _mm512_set1_ps(v.ep.add[k]);
  float* dst = out + k * v.out_plane + v.out_first + 16 * v0;
  const float* res = v.residual ? v.residual + (dst - v.out_base) : nullptr;
  for (int j = 0; j < P; ++j) {
    const __mmask16 m = first_lanes(v.pixels - 16 * (v0 + j));
    __m512 r = _mm512_fmadd_ps(sum[j], mul, add);
    if (res) r = _mm512_add_ps(r, _mm512_maskz_loadu_ps(m, res + 16 * j));
    if (v.ep.relu) r = _mm512_max_ps(r, _mm512_setzero_ps());
    _mm512_mask_storeu_ps(dst + 16 * j, m, r);
  }
}

}  // namespace
}  // namespace tnn::kernels::cpu
