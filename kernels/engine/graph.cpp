#include "executor.hpp"

#include <algorithm>
#include <stdexcept>

namespace tnn::kernels::engine_detail {

using ops::DType;
using ops::Layout;
using ops::LayoutKind;

Graph Graph::build(const Model& m) {
  const auto shapes = infer_shapes(m);
  Graph g;
  std::map<std::string, int> id;
  auto add_tensor = [&](const std::string& name, bool vector) {
    id[name] = int(g.shapes.size());
    g.shapes.push_back(shapes.at(name));
    g.names.push_back(name);
    g.is_vector.push_back(vector);
    return id[name];
  };
  g.input = add_tensor(m.input, false);
  for (const Node& n : m.nodes) {
    Op op{&n, {}, 0};
    for (const auto& t : n.inputs) op.in.push_back(id.at(t));
    const bool vector = n.op == OpType::kGlobalAvgPool || n.op == OpType::kLinear;
    op.out = add_tensor(n.output, vector);
    g.ops.push_back(op);
  }
  g.output = id.at(m.output);
  return g;
}

namespace {

// Where element (image, y, x, channel) of a layout is: first + image*i + y*r + x*p + channel*c.
struct Strides {
  int64_t first, image, row, pixel, channel;
  int64_t at(int64_t img, int64_t y, int64_t x) const {
    return first + img * image + y * row + x * pixel;
  }
};

Strides strides_of(const Layout& l) {
  switch (l.kind) {
    case LayoutKind::kPlanar: {
      const PlanarLayout p{l.c, l.h, l.w};
      return {p.at(0, 0, 0, 0), p.image_stride(), l.w, 1, p.plane()};
    }
    case LayoutKind::kPaddedU8: {
      U8Layout u = U8Layout::make(l.c, l.h, l.w, 1, l.border);
      u.cp = l.cp;
      return {u.at(0, 0, 0, 0), u.image_stride(), u.row_stride(), u.cp, 1};
    }
    default:
      return {0, l.h * l.w * l.c, l.w * l.c, l.c, 1};
  }
}

template <class T>
void max_pool_typed(const Node& node, const Layout& li, const T* x, const Layout& lo, T* y,
                    int64_t n) {
  const Strides in = strides_of(li), out = strides_of(lo);
  // One output pixel of channels [c0, c1): the max over its window, clipped to the image.
  auto pool = [&](int64_t img, int64_t oy, int64_t ox, int64_t c0, int64_t c1) {
    const int64_t y0 = std::max<int64_t>(oy * node.stride - node.pad, 0);
    const int64_t y1 = std::min<int64_t>(oy * node.stride - node.pad + node.kernel_h, li.h);
    const int64_t x0 = std::max<int64_t>(ox * node.stride - node.pad, 0);
    const int64_t x1 = std::min<int64_t>(ox * node.stride - node.pad + node.kernel_w, li.w);
    T* dst = y + out.at(img, oy, ox);
    const T* first = x + in.at(img, y0, x0);
    for (int64_t c = c0; c < c1; ++c) dst[c * out.channel] = first[c * in.channel];
    for (int64_t iy = y0; iy < y1; ++iy)
      for (int64_t ix = x0; ix < x1; ++ix) {
        const T* src = x + in.at(img, iy, ix);
        for (int64_t c = c0; c < c1; ++c)
          dst[c * out.channel] = std::max(dst[c * out.channel], src[c * in.channel]);
      }
  };
  if (in.channel == 1) {  // channels contiguous: whole pixels
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t img = 0; img < n; ++img)
      for (int64_t oy = 0; oy < lo.h; ++oy)
        for (int64_t ox = 0; ox < lo.w; ++ox) pool(img, oy, ox, 0, li.c);
  } else {  // planar: one channel plane at a time
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t img = 0; img < n; ++img)
      for (int64_t c = 0; c < li.c; ++c)
        for (int64_t oy = 0; oy < lo.h; ++oy)
          for (int64_t ox = 0; ox < lo.w; ++ox) pool(img, oy, ox, c, c + 1);
  }
}

void check_same_kind(const char* what, const Layout& li, const Layout& lo) {
  if (li.kind != lo.kind || li.dtype != lo.dtype)
    throw std::logic_error(std::string(what) + ": " + li.str() + " -> " + lo.str());
}

template <class T>
void shortcut_a_typed(const Node& node, const Layout& li, const T* x, const Layout& lo, T* y,
                      int64_t n, T zero) {
  const Strides in = strides_of(li), out = strides_of(lo);
  const int64_t s = node.stride, pad = node.pad_front;  // pad + li.c <= lo.c (option A)
  if (in.channel == 1) {  // channels contiguous: a fill and a copy per pixel
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t img = 0; img < n; ++img)
      for (int64_t oy = 0; oy < lo.h; ++oy)
        for (int64_t ox = 0; ox < lo.w; ++ox) {
          T* dst = y + out.at(img, oy, ox);
          std::fill(dst, dst + lo.c, zero);
          std::copy_n(x + in.at(img, oy * s, ox * s), li.c, dst + pad);
        }
  } else {  // planar: one output plane at a time, zero where it has no input channel
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t img = 0; img < n; ++img)
      for (int64_t c = 0; c < lo.c; ++c) {
        const int64_t ci = c - pad;
        for (int64_t oy = 0; oy < lo.h; ++oy)
          for (int64_t ox = 0; ox < lo.w; ++ox)
            y[out.at(img, oy, ox) + c * out.channel] =
                ci >= 0 && ci < li.c ? x[in.at(img, oy * s, ox * s) + ci * in.channel] : zero;
      }
  }
}

}  // namespace

void shortcut_a(const Node& node, const Layout& li, const void* x, const Layout& lo, void* y,
                int64_t n, uint8_t u8_zero) {
  check_same_kind("shortcut_a", li, lo);
  if (li.dtype == DType::kF32)
    shortcut_a_typed(node, li, static_cast<const float*>(x), lo, static_cast<float*>(y), n, 0.0f);
  else  // same scale in and out (calibration makes sure): a byte copy
    shortcut_a_typed(node, li, static_cast<const uint8_t*>(x), lo, static_cast<uint8_t*>(y), n,
                     u8_zero);
}

void global_avgpool(const Layout& li, const void* x, const QuantParams& q, float* y, int64_t n) {
  const Strides in = strides_of(li);
  const int64_t pixels = li.h * li.w;
  // Sums in raster order, whatever the layout (the same floats from NHWC and planar inputs).
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t img = 0; img < n; ++img)
    for (int64_t c = 0; c < li.c; ++c) {
      if (li.dtype == DType::kF32) {
        const float* src = static_cast<const float*>(x) + c * in.channel;
        float sum = 0.0f;
        for (int64_t yy = 0; yy < li.h; ++yy)
          for (int64_t xx = 0; xx < li.w; ++xx) sum += src[in.at(img, yy, xx)];
        y[img * li.c + c] = sum / float(pixels);
      } else {
        const uint8_t* src = static_cast<const uint8_t*>(x) + c * in.channel;
        int64_t sum = 0;
        for (int64_t yy = 0; yy < li.h; ++yy)
          for (int64_t xx = 0; xx < li.w; ++xx) sum += src[in.at(img, yy, xx)];
        y[img * li.c + c] = float(q.scale * (double(sum) / double(pixels) - q.zero_point));
      }
    }
}

void max_pool(const Node& node, const Layout& li, const void* x, const Layout& lo, void* y,
              int64_t n) {
  check_same_kind("max_pool", li, lo);
  if (li.c != lo.c) throw std::logic_error("max_pool: " + li.str() + " -> " + lo.str());
  if (li.dtype == DType::kF32)
    max_pool_typed(node, li, static_cast<const float*>(x), lo, static_cast<float*>(y), n);
  else
    max_pool_typed(node, li, static_cast<const uint8_t*>(x), lo, static_cast<uint8_t*>(y), n);
}

}  // namespace tnn::kernels::engine_detail
