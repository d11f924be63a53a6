#include "tnn/kernels/layout.hpp"

#include <cstring>

namespace tnn::kernels {

U8Layout U8Layout::make(int64_t c, int64_t h, int64_t w, int64_t channel_multiple, int64_t border) {
  U8Layout l;
  l.c = c;
  l.h = h;
  l.w = w;
  l.cp = round_up(c, channel_multiple);
  l.border = border;
  return l;
}

void nhwc_to_planar(const float* x, int64_t n, const PlanarLayout& l, float* planar) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t y = 0; y < l.h; ++y)
      for (int64_t xx = 0; xx < l.w; ++xx)
        for (int64_t c = 0; c < l.c; ++c)
          planar[l.at(i, c, y, xx)] = x[((i * l.h + y) * l.w + xx) * l.c + c];
}

void planar_to_nhwc(const float* planar, int64_t n, const PlanarLayout& l, float* x) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t y = 0; y < l.h; ++y)
      for (int64_t xx = 0; xx < l.w; ++xx)
        for (int64_t c = 0; c < l.c; ++c)
          x[((i * l.h + y) * l.w + xx) * l.c + c] = planar[l.at(i, c, y, xx)];
}

void fill_u8_border(uint8_t* buf, int64_t n, const U8Layout& l, uint8_t fill) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t y = -l.border; y < l.h + l.border; ++y)
      for (int64_t x = -l.border; x < l.w + l.border; ++x) {
        uint8_t* px = buf + l.at(i, y, x, 0);
        const bool inside = y >= 0 && y < l.h && x >= 0 && x < l.w;
        if (!inside)
          std::memset(px, fill, size_t(l.cp));
        else if (l.cp > l.c)
          std::memset(px + l.c, fill, size_t(l.cp - l.c));
      }
}

void nhwc_to_u8_layout(const uint8_t* x, int64_t n, const U8Layout& l, uint8_t fill, uint8_t* out) {
  fill_u8_border(out, n, l, fill);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t y = 0; y < l.h; ++y)
      for (int64_t xx = 0; xx < l.w; ++xx)
        std::memcpy(out + l.at(i, y, xx, 0), x + ((i * l.h + y) * l.w + xx) * l.c, size_t(l.c));
}

}  // namespace tnn::kernels
