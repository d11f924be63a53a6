// Internal: the resolved graph and the executor that runs it with one registered implementation
// per conv / linear node (ops.hpp), converting activations between the layouts the chosen
// kernels read and write.
#pragma once

#include "tnn/kernels/engine.hpp"
#include "tnn/kernels/layout.hpp"
#include "tnn/kernels/ops.hpp"

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace tnn::kernels::engine_detail {

struct Graph {
  struct Op {
    const Node* node;
    std::vector<int> in;
    int out;
  };
  std::vector<TensorShape> shapes;  // per tensor id
  std::vector<std::string> names;   // per tensor id
  std::vector<Op> ops;
  int input = 0, output = 0;
  // Tensors that are vectors (outputs of global_avgpool / linear): stored as [n][c] everywhere.
  std::vector<bool> is_vector;

  static Graph build(const Model& m);  // the Model must outlive the Graph
  int64_t numel(int id) const { return shapes[id].h * shapes[id].w * shapes[id].c; }
  bool weighted(size_t op) const {
    return ops[op].node->op == OpType::kConv2d || ops[op].node->op == OpType::kLinear;
  }
};

// The non-weighted ops of n images, from layout `li` to `lo` (the same kind and dtype: NHWC or
// planar FP32, or padded u8).
// Option-A shortcut: subsample by node.stride, channel c of the output is input channel
// c - node.pad_front, zero outside the input's channels (0.0f, or u8_zero: a u8 tensor's zero
// point).
void shortcut_a(const Node& node, const ops::Layout& li, const void* x, const ops::Layout& lo,
                void* y, int64_t n, uint8_t u8_zero);
// Global average pool to [n][c] floats; a u8 input is dequantized with q.
void global_avgpool(const ops::Layout& li, const void* x, const QuantParams& q, float* y,
                    int64_t n);
// max_pool2d of n images from layout `li` (NHWC or planar FP32, padded u8) to `lo` (the same
// kind and dtype); windows are clipped to the image, so padding never wins.
void max_pool(const Node& node, const ops::Layout& li, const void* x, const ops::Layout& lo,
              void* y, int64_t n);

// FP32 activations everywhere, or u8 activations with one static QuantParams per tensor
// (W2A8); dense FP32 layers of an int8 graph run between a dequantize and a quantize.
enum class Precision { kF32, kS8 };

// The implementation of every weighted node (nullptr for the others), by op index.
using Choices = std::vector<const ops::Impl*>;

// Called with every tensor a run produces (NHWC float, n images).
using TensorObserver = std::function<void(int id, const float* data, int64_t count)>;

// What the executor needs besides the graph: precision, per-tensor quantization (kS8) and the
// border of every padded u8 tensor (the widest padding of its consumer convs, at least 1).
struct ExecContext {
  Precision precision = Precision::kF32;
  std::vector<QuantParams> qp;  // per tensor (kS8)
  std::vector<int64_t> border;  // per tensor
  Isa isa = Isa::kAuto;         // ISA of the elementwise helpers
  bool fuse_residual = true;    // FP32: fold ResNet adds into the conv before them
};
ExecContext make_context(const Graph& g, Precision p, std::vector<QuantParams> qp, Isa isa);

// The op a weighted node runs as, and its Problem (batch n).
ops::Op node_op(const Graph& g, size_t op, Precision p);
ops::Problem node_problem(const Graph& g, size_t op, const ExecContext& c, int64_t n);
// The layout op `op` reads its input in, given its kernel's: a linear on a spatial input reads
// the NHWC images (each is the flattened vector the kernel calls its input).
ops::Layout input_fetch_layout(const Graph& g, size_t op, const ops::Layout& kernel_input);

// The variant of `family` for each weighted node; a node the family cannot run (e.g. a dense
// FP32 layer for ternary_s8) takes the first kernel of its op that can: a ternary family's
// fallbacks are ternary kernels first, a baseline family's are baselines (its own library's
// first), a reference family's are references.
Choices uniform_choices(const Graph& g, const ExecContext& c, const std::string& family);

class Executor {
 public:
  Executor(const Graph& g, ExecContext c, const Choices& choices, TensorObserver observer = {});
  ~Executor();
  void run(const float* images, int64_t n, float* out);
  std::string describe() const;
  const Choices& choices() const { return choices_; }
  int fused_residual_adds() const { return int(fused_adds_.size()); }

 private:
  struct Tensor;
  struct Step;
  void allocate(int64_t n);
  const void* fetch(int id, const ops::Layout& want, int64_t n);
  void store(int id, const ops::Layout& from, const void* src, int64_t n);
  void run_step(size_t i, int64_t n);
  void observe(int id, int64_t n);
  void convert_any(const ops::Layout& from, const void* src, const ops::Layout& to, void* dst,
                   int64_t n, const QuantParams& qp);

  const Graph& g_;
  ExecContext c_;
  Choices choices_;
  TensorObserver observer_;
  std::vector<std::unique_ptr<Tensor>> tensors_;
  std::vector<std::unique_ptr<Step>> steps_;
  std::unique_ptr<ops::Kernel> quantize_input_;  // kS8: images -> u8 NHWC
  const ops::Impl* quantizer_ = nullptr;         // f32 -> u8 between an FP32 layer and an int8 one
  AlignedBuffer<uint8_t> staging_;
  AlignedBuffer<uint8_t> convert_a_, convert_b_;  // convert_any's NHWC intermediates
  std::set<int> fused_adds_;                      // add ops whose conv writes the sum
  std::vector<size_t> order_;                     // ops in execution order (shortcuts hoisted)
  int64_t allocated_ = 0, stamp_ = 0;
};

}  // namespace tnn::kernels::engine_detail
