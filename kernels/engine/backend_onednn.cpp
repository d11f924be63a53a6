// onednn_f32 backend: the same graph with every ternary layer expanded to dense FP32, folded BN
// inside the weights (w * mul) and the bias (add), oneDNN convs with fused ReLU on NHWC.
#include "backend.hpp"

#ifdef TNN_HAVE_ONEDNN
#include "tnn/kernels/layout.hpp"
#include "tnn/kernels/onednn.hpp"

#include <omp.h>

#include <sstream>

namespace tnn::kernels::engine_detail {

namespace {

class OnednnBackend : public Backend {
 public:
  explicit OnednnBackend(const Graph& g) : g_(g) {
    weights_.resize(g.ops.size());
    bias_.resize(g.ops.size());
    for (size_t i = 0; i < g.ops.size(); ++i) {
      const Node& node = *g.ops[i].node;
      if (node.op != OpType::kConv2d && node.op != OpType::kLinear) continue;
      std::vector<float> w = node.weights.ternary ? node.weights.tern.dense() : node.weights.dense;
      const int64_t rows = node.out_channels, cols = int64_t(w.size()) / rows;
      if (node.op == OpType::kConv2d) {
        bias_[i].assign(size_t(rows), 0.0f);
        for (int64_t r = 0; r < rows; ++r) {
          const float mul = node.affine_mul.empty() ? 1.0f : node.affine_mul[size_t(r)];
          for (int64_t c = 0; c < cols; ++c) w[size_t(r * cols + c)] *= mul;
          if (!node.affine_add.empty()) bias_[i][size_t(r)] = node.affine_add[size_t(r)];
        }
      }
      weights_[i] = std::move(w);
    }
  }

  void run(const float* images, int64_t n, float* out) override {
    prepare(n);
    std::copy(images, images + n * g_.numel(g_.input), buf(g_.input));
    for (size_t i = 0; i < g_.ops.size(); ++i) {
      const auto& op = g_.ops[i];
      const Node& node = *op.node;
      const TensorShape& in = g_.shapes[size_t(op.in[0])];
      const TensorShape& os = g_.shapes[size_t(op.out)];
      float* x = buf(op.in[0]);
      float* y = buf(op.out);
      switch (node.op) {
        case OpType::kConv2d:
          convs_[i]->run(x, y);
          break;
        case OpType::kShortcutA:
          shortcut_a_nhwc(x, n, in, os, node.stride, node.pad_front, y);
          break;
        case OpType::kAdd:
          add_nhwc(x, buf(op.in[1]), n * g_.numel(op.out), node.relu, y);
          break;
        case OpType::kGlobalAvgPool:
          avgpool_nhwc(x, n, in, y);
          break;
        case OpType::kLinear:
          onednn::sgemm(weights_[i].data(), os.c, in.c, x, n, y);
          add_bias(y, n, node.bias);
          break;
      }
    }
    std::copy(buf(g_.output), buf(g_.output) + n * g_.numel(g_.output), out);
  }

  std::string describe() const override {
    std::ostringstream o;
    o << "onednn_f32: NHWC float, oneDNN " << onednn::version() << " (" << onednn::effective_isa()
      << "), ternary weights expanded to dense FP32\n";
    for (size_t i = 0; i < g_.ops.size(); ++i)
      if (i < convs_.size() && convs_[i])
        o << "  " << g_.ops[i].node->name << ": " << convs_[i]->impl() << ", weight reorder "
          << convs_[i]->weight_reorder_ms() << " ms\n";
    return o.str();
  }

 private:
  float* buf(int id) { return buffers_[size_t(id)].data(); }

  // oneDNN primitives are built for one batch size and keep the thread partitioning of the
  // OpenMP thread count they were created under: rebuild when either changes.
  void prepare(int64_t n) {
    const int threads = omp_get_max_threads();
    if (n == batch_ && threads == threads_) return;
    threads_ = threads;
    convs_.clear();
    convs_.resize(g_.ops.size());
    for (size_t i = 0; i < g_.ops.size(); ++i) {
      const Node& node = *g_.ops[i].node;
      if (node.op != OpType::kConv2d) continue;
      const ConvShape s = conv_shape(node, g_.shapes[size_t(g_.ops[i].in[0])], n);
      convs_[i] =
          std::make_unique<onednn::ConvF32>(s, weights_[i].data(), bias_[i].data(), node.relu);
    }
    buffers_.clear();
    for (size_t id = 0; id < g_.shapes.size(); ++id)
      buffers_.emplace_back(size_t(n * g_.numel(int(id))));
    batch_ = n;
  }

  const Graph& g_;
  std::vector<std::vector<float>> weights_, bias_;
  std::vector<std::unique_ptr<onednn::ConvF32>> convs_;
  std::vector<AlignedBuffer<float>> buffers_;
  int64_t batch_ = 0;
  int threads_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_onednn_backend(const Graph& g) {
  return std::make_unique<OnednnBackend>(g);
}

}  // namespace tnn::kernels::engine_detail

#else

#include <stdexcept>

namespace tnn::kernels::engine_detail {
std::unique_ptr<Backend> make_onednn_backend(const Graph&) {
  throw std::runtime_error("onednn_f32: this build has no oneDNN (TNN_HAVE_ONEDNN is off)");
}
}  // namespace tnn::kernels::engine_detail

#endif
