// Scalar implementations of the four kernel families, on the same prepacked data as the SIMD
// ones and with the same summation order, so they double as a readable spec of the layouts.
#include "views.hpp"

#include <algorithm>
#include <cmath>

namespace tnn::kernels::cpu {

namespace {

float finish(const EpilogueView& ep, int64_t row, float v) {
  v = std::fma(v, ep.mul[row], ep.add[row]);
  return ep.relu && v < 0.0f ? 0.0f : v;
}

// T[g][e] = sum of value(digit i of e) * x[3g+i] for e < 27 (base 3), added in the order
// i = 0, 1, 2 (the SIMD builders compute exactly this); entries 27..31 are 0.
void build_tables(const float* x, int64_t groups, float* tables) {
  for (int64_t g = 0; g < groups; ++g)
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

void gemm_f32(const LutView& w, const float* x, int64_t n, float* y, float* tables) {
  const int64_t cp = w.col_blocks * kLutBlockCols, groups = w.col_blocks * 6;
  for (int64_t i = 0; i < n; ++i) {
    build_tables(x + i * cp, groups, tables);
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < w.rows; ++r) {
      float sum = 0.0f;
      for (int c = 0; c < w.comps; ++c) {
        float acc = 0.0f;
        for (int64_t cb = 0; cb < w.col_blocks; ++cb) {
          const uint32_t d = w.codes[c][lut_block_offset(r / 16, cb, w.col_blocks) + r % 16];
          for (int g = 0; g < 6; ++g) acc += tables[(cb * 6 + g) * 32 + ((d >> (5 * g)) & 31)];
        }
        const float term = w.scale[c][r] * acc;
        sum = c == 0 ? term : sum + term;
      }
      y[i * w.rows + r] = finish(w.ep, r, sum);
    }
  }
}

void gemm_w2a8(const VnniView& w, const int8_t* xs, const int32_t* xsum, int64_t n, float in_scale,
               int32_t zero_point, float* y) {
  const int64_t cp = w.col_blocks * 16;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 0; r < w.rows; ++r) {
      const int8_t* x = xs + i * cp;
      float sum = 0.0f;
      for (int c = 0; c < w.comps; ++c) {
        int32_t acc = 0;
        for (int64_t cb = 0; cb < w.col_blocks; ++cb)
          for (int q = 0; q < 4; ++q)
            for (int j = 0; j < 4; ++j) {
              const uint32_t d = w.codes[c][vnni_block_offset(r / 16, cb, w.col_blocks) + r % 16];
              const int32_t u = int32_t(d >> (8 * j + 2 * q)) & 3;
              acc += u * x[cb * 16 + 4 * q + j];
            }
        // sum (u-1) xs = sum u xs - sum xs; the zero point enters through sum w.
        const int32_t dot = acc - xsum[i] + (128 - zero_point) * w.wsum[c][r];
        const float term = in_scale * (w.scale[c][r] * float(dot));
        sum = c == 0 ? term : sum + term;
      }
      y[i * w.rows + r] = finish(w.ep, r, sum);
    }
}

void conv_f32(const ConvF32View& v, const PlanesView* planes, const float* in, float* scratch,
              float* out, int64_t n) {
  const int64_t items = n * v.tiles * v.pairs;
#pragma omp parallel
  {
    if (planes) build_planes_scalar(*planes, in, v.in_stride, n, scratch, v.scratch_stride);
#pragma omp for schedule(static)
    for (int64_t item = 0; item < items; ++item) {
      const int64_t image = item / (v.tiles * v.pairs), tile = item / v.pairs % v.tiles;
      const int64_t pair = item % v.pairs;
      const int64_t first = v.tile_first[tile] * 16, lanes = v.tile_size[tile] * 16;
      const float* const base[2] = {in + image * v.in_stride + first,
                                    scratch + image * v.scratch_stride + first};
      float sum[2][16 * 12], plus[2][16 * 12], minus[2][16 * 12];
      for (int t = 0; t < v.terms; ++t) {
        for (int c = 0; c < 2; ++c) {
          std::fill(plus[c], plus[c] + lanes, 0.0f);
          std::fill(minus[c], minus[c] + lanes, 0.0f);
        }
        for (int64_t gi = v.group_index[t * v.pairs + pair];
             gi < v.group_index[t * v.pairs + pair + 1]; ++gi) {
          const ConvF32Plan::Group& g = v.groups[gi];
          for (int32_t e = g.first; e < g.last; ++e) {
            const float* p = base[g.base] + v.offsets[e];
            for (int64_t l = 0; l < lanes; ++l) {
              if (v.weighted) {
                plus[0][l] += v.weights_a[e] * p[l];
                plus[1][l] += v.weights_b[e] * p[l];
                continue;
              }
              if (g.sign_a > 0) plus[0][l] += p[l];
              if (g.sign_a < 0) minus[0][l] += p[l];
              if (g.sign_b > 0) plus[1][l] += p[l];
              if (g.sign_b < 0) minus[1][l] += p[l];
            }
          }
        }
        for (int c = 0; c < 2; ++c) {
          const int64_t k = 2 * pair + c;
          for (int64_t l = 0; l < lanes; ++l) {
            const float term =
                v.weighted ? plus[c][l]
                           : v.scale_pos[t][k] * plus[c][l] - v.scale_neg[t][k] * minus[c][l];
            sum[c][l] = t == 0 ? term : sum[c][l] + term;
          }
        }
      }
      for (int c = 0; c < 2; ++c) {
        const int64_t k = 2 * pair + c;
        if (k >= v.k) break;
        float* dst = out + image * v.out_stride + k * v.out_plane + v.out_first + first;
        for (int64_t l = 0; l < lanes && first + l < v.pixels; ++l)
          dst[l] = finish(v.ep, k, sum[c][l]);
      }
    }
  }  // omp parallel
}

void conv_w2a8(const ConvW2A8View& v, const uint8_t* in, int64_t n) {
#pragma omp parallel for collapse(3) schedule(static)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t oy = 0; oy < v.oh; ++oy)
      for (int64_t k = 0; k < v.k; ++k)
        for (int64_t ox = 0; ox < v.ow; ++ox) {
          const uint8_t* px = in + i * v.in_image + oy * v.in_row + ox * v.in_pix;
          float sum = 0.0f;
          for (int c = 0; c < v.comps; ++c) {
            const uint32_t* codes = v.codes[c] + (k / 16) * v.blocks * 16 + k % 16;
            int32_t acc = 0;
            for (int64_t b = 0; b < v.blocks; ++b)
              for (int q = 0; q < 4; ++q)
                for (int j = 0; j < 4; ++j) {
                  const int32_t w = (int32_t(codes[b * 16] >> (8 * j + 2 * q)) & 3) - 1;
                  acc += w * px[v.quad_offset[b * 4 + q] + j];
                }
            const int32_t dot = acc - v.in_zero_point * v.wsum[c][k];
            const float term = v.in_scale * (v.scale[c][k] * float(dot));
            sum = c == 0 ? term : sum + term;
          }
          const float r = finish(v.ep, k, sum);
          const int64_t at = i * v.out_image + oy * v.out_row + ox * v.out_pix + k;
          if (v.out_f32) {
            v.out_f32[at] = r;
          } else {
            const float q = std::nearbyint(r * v.out_inv_scale) + float(v.out_zero_point);
            v.out_u8[at] = uint8_t(std::clamp(q, 0.0f, 255.0f));
          }
        }
}

}  // namespace

// Plane (py, xoff, sigma) of channel ch holds Q[r][q] = x[s*(r+dy_min)+py][s*q+xoff] (0 outside
// the image) at position r*ow + q - sigma; the first sigma floats of row 0 are never read.
void build_planes_scalar(const PlanesView& v, const float* in, int64_t in_stride, int64_t images,
                         float* scratch, int64_t scratch_stride) {
  const int64_t jobs = images * v.count * v.c, st = v.stride, ow = v.ow;
#pragma omp for schedule(static)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t image = job / (v.count * v.c), plane = job / v.c % v.count, ch = job % v.c;
    const ConvF32Plan::Plane& pl = v.planes[plane];
    float* chan = scratch + image * scratch_stride + (plane * v.c + ch) * v.channel_stride;
    const float* src_chan = in + image * in_stride + ch * v.in_plane;
    for (int64_t r = 0; r < v.rows; ++r) {
      const int64_t at = r * ow - pl.sigma;
      const int64_t iy = st * (r + v.dy_min) + pl.py;
      for (int64_t q = at < 0 ? -at : 0; q < ow; ++q) {
        const int64_t ix = st * q + pl.xoff;
        const bool inside = iy >= 0 && iy < v.h && ix >= 0 && ix < v.w;
        chan[at + q] = inside ? src_chan[(iy + 1) * v.w + ix] : 0.0f;
      }
    }
  }
}

void add_f32_scalar(const float* a, const float* b, float* y, int64_t count, bool relu) {
  for (int64_t i = 0; i < count; ++i) {
    const float v = a[i] + b[i];
    y[i] = relu && v < 0.0f ? 0.0f : v;
  }
}

void add_u8_scalar(const uint8_t* a, const uint8_t* b, uint8_t* y, int64_t count,
                   const AddU8Params& p) {
  for (int64_t i = 0; i < count; ++i) {
    float v = p.sa * float(int32_t(a[i]) - p.za) + p.sb * float(int32_t(b[i]) - p.zb);
    if (p.relu && v < 0.0f) v = 0.0f;
    const float q = std::nearbyint(v * p.inv_out) + float(p.zout);
    y[i] = uint8_t(std::clamp(q, 0.0f, 255.0f));
  }
}

void quantize_u8_scalar(const float* x, uint8_t* q, int64_t count, float inv_scale, int32_t zp) {
  for (int64_t i = 0; i < count; ++i)
    q[i] = uint8_t(std::clamp(std::nearbyint(x[i] * inv_scale) + float(zp), 0.0f, 255.0f));
}

const KernelTable kScalarKernels = {gemm_f32,       gemm_w2a8,     conv_f32,          conv_w2a8,
                                    add_f32_scalar, add_u8_scalar, quantize_u8_scalar};

}  // namespace tnn::kernels::cpu
