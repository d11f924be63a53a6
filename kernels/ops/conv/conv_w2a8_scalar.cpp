// Scalar W2A8 conv on the padded u8 layout and the 2-bit block layout of ConvW2A8Plan.
#include "../simd_scalar.hpp"
#include "conv_kernels.hpp"

#include <algorithm>
#include <cmath>

namespace tnn::kernels::cpu {

namespace {

void conv_w2a8_impl(const ConvW2A8View& v, const uint8_t* in, int64_t n) {
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

void conv_w2a8_scalar(const ConvW2A8View& v, const uint8_t* in, int64_t n) {
  conv_w2a8_impl(v, in, n);
}

}  // namespace tnn::kernels::cpu
