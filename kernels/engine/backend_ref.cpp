// Reference backend: NHWC float, ref:: kernels. Also the calibration path of ternary_s8.
#include "backend.hpp"

#include "tnn/kernels/ref.hpp"

namespace tnn::kernels::engine_detail {

namespace {

class RefBackend : public Backend {
 public:
  RefBackend(const Graph& g, TensorObserver observer) : g_(g), observer_(std::move(observer)) {}

  void run(const float* images, int64_t n, float* out) override {
    std::vector<std::vector<float>> t(g_.shapes.size());
    t[size_t(g_.input)].assign(images, images + n * g_.numel(g_.input));
    notify(g_.input, t, n);
    for (const auto& op : g_.ops) {
      const Node& node = *op.node;
      const TensorShape& in = g_.shapes[size_t(op.in[0])];
      const TensorShape& os = g_.shapes[size_t(op.out)];
      auto& y = t[size_t(op.out)];
      y.assign(size_t(n * g_.numel(op.out)), 0.0f);
      const float* x = t[size_t(op.in[0])].data();
      switch (node.op) {
        case OpType::kConv2d: {
          const ConvShape s = conv_shape(node, in, n);
          if (node.weights.ternary)
            ref::conv2d(s, x, node.weights.tern, y.data());
          else
            ref::conv2d_dense(s, x, node.weights.dense.data(), y.data());
          Epilogue ep{node.affine_mul, node.affine_add, node.relu};
          ref::apply_epilogue(ep, y.data(), n * os.h * os.w, os.c);
          break;
        }
        case OpType::kShortcutA:
          shortcut_a_nhwc(x, n, in, os, node.stride, node.pad_front, y.data());
          break;
        case OpType::kAdd:
          add_nhwc(x, t[size_t(op.in[1])].data(), n * g_.numel(op.out), node.relu, y.data());
          break;
        case OpType::kGlobalAvgPool:
          avgpool_nhwc(x, n, in, y.data());
          break;
        case OpType::kLinear:
          if (node.weights.ternary)
            ref::gemm(node.weights.tern, x, n, y.data());
          else
            ref::gemm_dense(node.weights.dense.data(), os.c, in.c, x, n, y.data());
          add_bias(y.data(), n, node.bias);
          break;
      }
      notify(op.out, t, n);
    }
    const auto& o = t[size_t(g_.output)];
    std::copy(o.begin(), o.end(), out);
  }

  std::string describe() const override {
    return "ref: NHWC float, reference kernels (ternary codes unpacked on every call)\n";
  }

 private:
  void notify(int id, const std::vector<std::vector<float>>& t, int64_t n) {
    if (observer_) observer_(id, t[size_t(id)].data(), n * g_.numel(id));
  }
  const Graph& g_;
  TensorObserver observer_;
};

}  // namespace

std::unique_ptr<Backend> make_ref_backend(const Graph& g, TensorObserver observer) {
  return std::make_unique<RefBackend>(g, std::move(observer));
}

}  // namespace tnn::kernels::engine_detail
