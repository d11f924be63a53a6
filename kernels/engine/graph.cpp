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

void shortcut_a_nhwc(const float* x, int64_t n, const TensorShape& in, const TensorShape& out,
                     int64_t stride, int64_t pad_front, float* y) {
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t oy = 0; oy < out.h; ++oy)
      for (int64_t ox = 0; ox < out.w; ++ox) {
        float* dst = y + ((i * out.h + oy) * out.w + ox) * out.c;
        const float* src = x + ((i * in.h + oy * stride) * in.w + ox * stride) * in.c;
        std::fill(dst, dst + out.c, 0.0f);
        std::copy(src, src + in.c, dst + pad_front);
      }
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

}  // namespace

void max_pool(const Node& node, const Layout& li, const void* x, const Layout& lo, void* y,
              int64_t n) {
  if (li.kind != lo.kind || li.dtype != lo.dtype || li.c != lo.c)
    throw std::logic_error("max_pool: " + li.str() + " -> " + lo.str());
  if (li.dtype == DType::kF32)
    max_pool_typed(node, li, static_cast<const float*>(x), lo, static_cast<float*>(y), n);
  else
    max_pool_typed(node, li, static_cast<const uint8_t*>(x), lo, static_cast<uint8_t*>(y), n);
}

void avgpool_nhwc(const float* x, int64_t n, const TensorShape& in, float* y) {
  const int64_t pixels = in.h * in.w;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < in.c; ++c) {
      float sum = 0.0f;
      for (int64_t p = 0; p < pixels; ++p) sum += x[(i * pixels + p) * in.c + c];
      y[i * in.c + c] = sum / float(pixels);
    }
}

}  // namespace tnn::kernels::engine_detail
