// Layouts of the kernels' operands, buffer preparation and conversions between layouts.
#include "tnn/kernels/layout.hpp"
#include "tnn/kernels/ops.hpp"

#include <cstring>
#include <stdexcept>

namespace tnn::kernels::ops {

namespace {

PlanarLayout planar_of(const Layout& l) {
  return {l.c, l.h, l.w};
}
U8Layout u8_of(const Layout& l) {
  U8Layout u;
  u.c = l.c;
  u.h = l.h;
  u.w = l.w;
  u.cp = l.cp;
  u.border = l.border;
  return u;
}

// Element offset of (image, y, x, channel) in a layout.
int64_t element_at(const Layout& l, int64_t i, int64_t y, int64_t x, int64_t ch) {
  switch (l.kind) {
    case LayoutKind::kNhwc:
      return ((i * l.h + y) * l.w + x) * l.c + ch;
    case LayoutKind::kPlanar:
      return planar_of(l).at(i, ch, y, x);
    case LayoutKind::kPaddedU8:
      return u8_of(l).at(i, y, x, ch);
  }
  return 0;
}

}  // namespace

Layout Layout::nhwc(DType t, int64_t h, int64_t w, int64_t c) {
  Layout l;
  l.kind = LayoutKind::kNhwc;
  l.dtype = t;
  l.h = h;
  l.w = w;
  l.c = c;
  return l;
}

Layout Layout::planar(int64_t h, int64_t w, int64_t c) {
  Layout l = nhwc(DType::kF32, h, w, c);
  l.kind = LayoutKind::kPlanar;
  return l;
}

Layout Layout::padded_u8(int64_t h, int64_t w, int64_t c, int64_t border) {
  Layout l = nhwc(DType::kU8, h, w, c);
  l.kind = LayoutKind::kPaddedU8;
  l.cp = round_up(c, c < 16 ? 4 : 16);
  l.border = border;
  return l;
}

int64_t Layout::image_elements() const {
  switch (kind) {
    case LayoutKind::kNhwc:
      return h * w * c;
    case LayoutKind::kPlanar:
      return planar_of(*this).image_stride();
    case LayoutKind::kPaddedU8:
      return u8_of(*this).image_stride();
  }
  return 0;
}

int64_t Layout::first_image() const {
  return kind == LayoutKind::kPlanar ? PlanarLayout::kSlack : 0;
}

int64_t Layout::buffer_elements(int64_t n) const {
  switch (kind) {
    case LayoutKind::kNhwc:
      return n * h * w * c;
    case LayoutKind::kPlanar:
      return planar_of(*this).buffer_floats(n);
    case LayoutKind::kPaddedU8:
      return u8_of(*this).buffer_bytes(n);
  }
  return 0;
}

bool Layout::operator==(const Layout& o) const {
  return kind == o.kind && dtype == o.dtype && h == o.h && w == o.w && c == o.c && cp == o.cp &&
         border == o.border;
}

std::string Layout::str() const {
  const char* k = kind == LayoutKind::kNhwc     ? "nhwc"
                  : kind == LayoutKind::kPlanar ? "planar"
                                                : "padded";
  std::string s = std::string(k) + " " + dtype_name(dtype) + " " + std::to_string(h) + "x" +
                  std::to_string(w) + "x" + std::to_string(c);
  if (kind == LayoutKind::kPaddedU8)
    s += " cp" + std::to_string(cp) + " border" + std::to_string(border);
  return s;
}

void init_buffer(const Layout& l, void* buf, int64_t n, uint8_t fill) {
  if (l.kind == LayoutKind::kPaddedU8)
    fill_u8_border(static_cast<uint8_t*>(buf), n, u8_of(l), fill);
}

void convert(const Layout& from, const void* src, const Layout& to, void* dst, int64_t n) {
  if (from.dtype != to.dtype || from.h != to.h || from.w != to.w || from.c != to.c)
    throw std::invalid_argument("convert: " + from.str() + " and " + to.str() +
                                " differ in type or shape");
  if (from == to) {
    std::memcpy(dst, src, from.buffer_bytes(n));
    return;
  }
  if (from.dtype == DType::kF32 && from.kind == LayoutKind::kNhwc &&
      to.kind == LayoutKind::kPlanar) {
    nhwc_to_planar(static_cast<const float*>(src), n, planar_of(to), static_cast<float*>(dst));
    return;
  }
  if (from.dtype == DType::kF32 && from.kind == LayoutKind::kPlanar &&
      to.kind == LayoutKind::kNhwc) {
    planar_to_nhwc(static_cast<const float*>(src), n, planar_of(from), static_cast<float*>(dst));
    return;
  }
  // Anything else pixel by pixel (the channels of a pixel are contiguous unless planar).
  const size_t es = from.element_size();
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  const bool contiguous = from.kind != LayoutKind::kPlanar && to.kind != LayoutKind::kPlanar;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t y = 0; y < from.h; ++y)
      for (int64_t x = 0; x < from.w; ++x) {
        if (contiguous) {
          std::memcpy(d + size_t(element_at(to, i, y, x, 0)) * es,
                      s + size_t(element_at(from, i, y, x, 0)) * es, size_t(from.c) * es);
          continue;
        }
        for (int64_t ch = 0; ch < from.c; ++ch)
          std::memcpy(d + size_t(element_at(to, i, y, x, ch)) * es,
                      s + size_t(element_at(from, i, y, x, ch)) * es, es);
      }
}

}  // namespace tnn::kernels::ops
