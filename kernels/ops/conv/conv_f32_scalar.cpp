// Scalar zero-skipping FP32 conv on the tap lists and tap planes of ConvF32Plan (pairs or quads),
// in the SIMD kernels' summation order; also the portable tap-plane builder.
#include "../simd_scalar.hpp"
#include "conv_f32_parallel.hpp"

#include <algorithm>
#include <cmath>

namespace tnn::kernels::cpu {

namespace {

void conv_f32_impl(const ConvF32View& v, const PlanesView* planes, const float* in, float* scratch,
                   float* out, int64_t n) {
  auto run_bundle = [&v](const float* const image_base[2], float* out_image, int64_t tile,
                         int64_t bundle) {
    const int64_t first = v.tile_first[tile] * 16, lanes = v.tile_size[tile] * 16;
    const int64_t width = v.width;
    const float* const base[2] = {image_base[0] + first,
                                  image_base[1] ? image_base[1] + first : nullptr};
    float sum[4][16 * 12], plus[4][16 * 12], minus[4][16 * 12];
    for (int t = 0; t < v.terms; ++t) {
      for (int64_t c = 0; c < width; ++c) {
        std::fill(plus[c], plus[c] + lanes, 0.0f);
        std::fill(minus[c], minus[c] + lanes, 0.0f);
      }
      const int64_t tb = t * v.bundles + bundle;  // all blocks of the bundle in a row
      for (int64_t gi = v.block_groups[tb * v.blocks]; gi < v.block_groups[(tb + 1) * v.blocks];
           ++gi) {
        const ConvF32Plan::Group& g = v.groups[gi];
        for (int32_t e = g.first; e < g.last; ++e) {
          const float* p = base[g.base] + v.offsets[e];
          for (int64_t l = 0; l < lanes; ++l) {
            if (v.weighted) {  // pairs only
              plus[0][l] += v.weights_a[e] * p[l];
              plus[1][l] += v.weights_b[e] * p[l];
              continue;
            }
            for (int64_t c = 0; c < width; ++c) {
              if (g.sign[c] > 0) plus[c][l] += p[l];
              if (g.sign[c] < 0) minus[c][l] += p[l];
            }
          }
        }
      }
      for (int64_t c = 0; c < width; ++c) {
        const int64_t k = width * bundle + c;
        for (int64_t l = 0; l < lanes; ++l) {
          const float term = v.weighted
                                 ? plus[c][l]
                                 : v.scale_pos[t][k] * plus[c][l] - v.scale_neg[t][k] * minus[c][l];
          sum[c][l] = t == 0 ? term : sum[c][l] + term;
        }
      }
    }
    for (int64_t c = 0; c < width; ++c) {
      const int64_t k = width * bundle + c;
      if (k >= v.k) break;
      float* dst = out_image + k * v.out_plane + v.out_first + first;
      const float* res = v.residual ? v.residual + (dst - v.out_base) : nullptr;
      for (int64_t l = 0; l < lanes && first + l < v.pixels; ++l)
        dst[l] = res ? finish_residual(v.ep, k, sum[c][l], res[l]) : finish(v.ep, k, sum[c][l]);
    }
  };
  // Each bundle walks all its groups in a row: the blocked AVX-512 walk's summation order.
  auto run_tile = [&run_bundle](const float* const base[2], float* out_image, int64_t tile,
                                int64_t bundle_lo, int64_t bundle_hi) {
    for (int64_t b = bundle_lo; b < bundle_hi; ++b) run_bundle(base, out_image, tile, b);
  };
  conv_f32_parallel(v, planes, in, scratch, out, n, v.tiles, plan_tile_span(v), build_planes_scalar,
                    run_tile);
}

}  // namespace

void conv_f32_scalar(const ConvF32View& v, const PlanesView* planes, const float* in,
                     float* scratch, float* out, int64_t n) {
  conv_f32_impl(v, planes, in, scratch, out, n);
}

// Plane (py, xoff, sigma) of channel ch holds Q[r][q] = x[s*(r+dy_min)+py][s*q+xoff] (0 outside
// the image) at position r*ow + q - sigma; the first sigma floats of row 0 are never read.
void build_planes_scalar(const PlanesView& v, const float* in, float* scratch, int64_t lo,
                         int64_t hi) {
  const int64_t st = v.stride, ow = v.ow;
  for (int64_t plane = 0; plane < v.count; ++plane) {
    const ConvF32Plan::Plane& pl = v.planes[plane];
    for (int64_t ch = 0; ch < v.c; ++ch) {
      float* chan = scratch + (plane * v.c + ch) * v.channel_stride;
      const float* src_chan = in + ch * v.in_plane;
      for (int64_t r = std::max<int64_t>((lo + pl.sigma) / ow, 0); r < v.rows; ++r) {
        const int64_t at = r * ow - pl.sigma;
        if (at >= hi) break;
        const int64_t iy = st * (r + v.dy_min) + pl.py;
        for (int64_t q = std::max<int64_t>(lo - at, 0); q < ow && at + q < hi; ++q) {
          const int64_t ix = st * q + pl.xoff;
          const bool inside = iy >= 0 && iy < v.h && ix >= 0 && ix < v.w;
          chan[at + q] = inside ? src_chan[(iy + 1) * v.w + ix] : 0.0f;
        }
      }
    }
  }
}

}  // namespace tnn::kernels::cpu
