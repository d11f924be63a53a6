// Internal: the parallel loop of the FP32 tap-list convs, shared by their ISA files (each
// includes it and instantiates it with its own tile and plane-building functions, so everything
// is compiled under that file's ISA flags).
#pragma once

#include "conv_kernels.hpp"

#include <omp.h>

#include <algorithm>
#include <utility>

namespace tnn::kernels::cpu {
namespace {

// Runs `tile(base, out_image, tile, bundle_lo, bundle_hi)` over every (image, tile, bundle) item
// of n images, for runs of consecutive bundles of one tile (so a kernel may walk input-channel
// blocks across the bundles, ConvF32Plan::block_groups); base[1] is the thread's scratch region.
// The items are split into one contiguous range per thread (as a static schedule would), and each
// thread first builds, in its own scratch (scratch + thread * v.scratch_stride), the tap-plane
// positions that its own tiles of an image read, halo included, just before it reads them. So
// no thread waits for another between building and reading, no plane is read from the other
// core's cache, and one image's planes at a time stay in L2. Halo rows are built twice.
// `span(tile)` gives the tile's 16-pixel vectors [first, end); `build(planes, in_image,
// scratch_image, lo, hi)` builds at least positions [lo, hi) of every copied plane channel.
template <class Span, class Build, class Tile>
inline void conv_f32_parallel(const ConvF32View& v, const PlanesView* planes, const float* in,
                              float* scratch, float* out, int64_t n, int64_t tiles, Span span,
                              Build build, Tile tile) {
  const int64_t per_image = tiles * v.bundles, items = n * per_image;
  // Positions a vector range reads: lanes shifted back by sigma (< 16) and down by up to
  // (plane rows - output rows) whole rows.
  const int64_t reach = planes ? (planes->rows - v.oh) * planes->ow : 0;
  const int threads = planes ? planes->threads : omp_get_max_threads();
#pragma omp parallel num_threads(threads)
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t q = items / nt, r = items % nt;
    const int64_t begin = t * q + std::min(t, r), end = begin + q + (t < r ? 1 : 0);
    float* const own = planes ? scratch + t * v.scratch_stride : nullptr;
    for (int64_t item = begin; item < end;) {
      const int64_t image = item / per_image, image_end = std::min(end, (image + 1) * per_image);
      const float* const base[2] = {in + image * v.in_stride, own};
      if (planes) {
        const int64_t first_tile = item % per_image / v.bundles;
        const int64_t last_tile = (image_end - 1) % per_image / v.bundles;
        const int64_t lo = 16 * span(first_tile).first - 16;
        const int64_t hi = 16 * span(last_tile).second + reach;
        build(*planes, base[0], own, std::max<int64_t>(lo, 0),
              std::min(hi, planes->channel_stride));
      }
      float* dst = out + image * v.out_stride;
      while (item < image_end) {
        const int64_t bundle = item % v.bundles;
        const int64_t count = std::min(v.bundles - bundle, image_end - item);
        tile(base, dst, item % per_image / v.bundles, bundle, bundle + count);
        item += count;
      }
    }
  }
}

// `span` for the plan's tiles (tile_first / tile_size), as the scalar and AVX-512 kernels walk
// them.
inline auto plan_tile_span(const ConvF32View& v) {
  return [&v](int64_t tile) {
    return std::pair<int64_t, int64_t>(v.tile_first[tile], v.tile_first[tile] + v.tile_size[tile]);
  };
}

}  // namespace
}  // namespace tnn::kernels::cpu
