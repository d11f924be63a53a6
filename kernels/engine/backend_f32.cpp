// ternary_f32 backend: planar float activations (layout.hpp), zero-skipping ternary convs,
// table-lookup ternary linear, dense FP32 layers through the conv kernel's weighted mode.
#include "backend.hpp"

#include "tnn/kernels/cpu.hpp"
#include "tnn/kernels/ref.hpp"

#include <algorithm>
#include <sstream>

namespace tnn::kernels::engine_detail {

namespace {

PlanarLayout planar(const TensorShape& s) {
  return {s.c, s.h, s.w};
}

class F32Backend : public Backend {
 public:
  F32Backend(const Graph& g, Isa isa) : g_(g), isa_(resolve_isa(isa)) {
    convs_.resize(g.ops.size());
    luts_.resize(g.ops.size());
    for (size_t i = 0; i < g.ops.size(); ++i) {
      const Node& node = *g.ops[i].node;
      const TensorShape& in = g.shapes[size_t(g.ops[i].in[0])];
      if (node.op == OpType::kConv2d) {
        const ConvShape s = conv_shape(node, in);
        const Epilogue ep{node.affine_mul, node.affine_add, node.relu};
        convs_[i] = std::make_unique<ConvF32Plan>(
            node.weights.ternary ? prepare_conv_f32(s, node.weights.tern, ep)
                                 : prepare_conv_f32_dense(s, node.weights.dense, ep));
      } else if (node.op == OpType::kLinear && node.weights.ternary) {
        luts_[i] = std::make_unique<LutMatrix>(
            prepack_lut(node.weights.tern, Epilogue{{}, node.bias, false}));
      }
    }
  }

  void run(const float* images, int64_t n, float* out) override {
    allocate(n);
    nhwc_to_planar(images, n, planar(g_.shapes[size_t(g_.input)]), buf(g_.input));
    for (size_t i = 0; i < g_.ops.size(); ++i) {
      const auto& op = g_.ops[i];
      const Node& node = *op.node;
      const TensorShape& in = g_.shapes[size_t(op.in[0])];
      const TensorShape& os = g_.shapes[size_t(op.out)];
      float* x = buf(op.in[0]);
      float* y = buf(op.out);
      switch (node.op) {
        case OpType::kConv2d:
          conv_f32_planar(*convs_[i], x, y, n, isa_);
          break;
        case OpType::kShortcutA:
          shortcut(x, n, in, os, node, y);
          break;
        case OpType::kAdd:  // whole buffers: zero rows and slack add up to zero
          add_f32(x, buf(op.in[1]), y, planar(os).buffer_floats(n), node.relu, isa_);
          break;
        case OpType::kGlobalAvgPool:
          avgpool(x, n, in, y);
          break;
        case OpType::kLinear:
          if (luts_[i]) {
            gemm_f32(*luts_[i], x, n, y, isa_);
          } else {
            ref::gemm_dense(node.weights.dense.data(), os.c, in.c, x, n, y);
            add_bias(y, n, node.bias);
          }
          break;
      }
    }
    const int out_id = g_.output;
    if (g_.is_vector[size_t(out_id)])
      std::copy(buf(out_id), buf(out_id) + n * g_.numel(out_id), out);
    else
      planar_to_nhwc(buf(out_id), n, planar(g_.shapes[size_t(out_id)]), out);
  }

  std::string describe() const override {
    std::ostringstream o;
    o << "ternary_f32: planar float activations, ISA " << isa_name(isa_) << "\n";
    for (size_t i = 0; i < g_.ops.size(); ++i) {
      const Node& node = *g_.ops[i].node;
      o << "  " << node.name << " (" << op_name(node.op) << ")";
      if (convs_[i])
        o << ": " << (convs_[i]->weighted ? "dense FMA lists" : "zero-skipping +-1 lists") << ", "
          << convs_[i]->copied_planes << " of " << convs_[i]->planes.size() << " tap planes copied"
          << ", " << convs_[i]->entry_bytes() << " B of tap lists";
      if (luts_[i]) o << ": LUT GEMM, " << luts_[i]->weight_bytes() << " B";
      o << "\n";
    }
    return o.str();
  }

 private:
  float* buf(int id) { return buffers_[size_t(id)].data(); }

  void allocate(int64_t n) {
    if (n <= allocated_) return;
    buffers_.clear();
    for (size_t id = 0; id < g_.shapes.size(); ++id) {
      const TensorShape& s = g_.shapes[id];
      const int64_t floats = g_.is_vector[id] ? n * s.c : planar(s).buffer_floats(n);
      buffers_.emplace_back(size_t(floats));  // zeroed: the planes' zero rows stay zero
    }
    allocated_ = n;
  }

  static void shortcut(const float* x, int64_t n, const TensorShape& in, const TensorShape& os,
                       const Node& node, float* y) {
    const PlanarLayout li = planar(in), lo = planar(os);
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t c = 0; c < os.c; ++c) {
        const int64_t ci = c - node.pad_front;
        for (int64_t oy = 0; oy < os.h; ++oy) {
          float* dst = y + lo.at(i, c, oy, 0);
          if (ci < 0 || ci >= in.c) {
            std::fill(dst, dst + os.w, 0.0f);
            continue;
          }
          const float* src = x + li.at(i, ci, oy * node.stride, 0);
          for (int64_t ox = 0; ox < os.w; ++ox) dst[ox] = src[ox * node.stride];
        }
      }
  }

  static void avgpool(const float* x, int64_t n, const TensorShape& in, float* y) {
    const PlanarLayout l = planar(in);
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t c = 0; c < in.c; ++c) {
        const float* p = x + l.at(i, c, 0, 0);
        float sum = 0.0f;
        for (int64_t j = 0; j < in.h * in.w; ++j) sum += p[j];
        y[i * in.c + c] = sum / float(in.h * in.w);
      }
  }

  const Graph& g_;
  Isa isa_;
  std::vector<std::unique_ptr<ConvF32Plan>> convs_;
  std::vector<std::unique_ptr<LutMatrix>> luts_;
  std::vector<AlignedBuffer<float>> buffers_;
  int64_t allocated_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_f32_backend(const Graph& g, Isa isa) {
  return std::make_unique<F32Backend>(g, isa);
}

}  // namespace tnn::kernels::engine_detail
