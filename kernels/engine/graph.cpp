#include "executor.hpp"

#include <algorithm>

namespace tnn::kernels::engine_detail {

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
