// Internal: the resolved graph every engine backend runs, the backend interface, and the small
// NHWC helpers shared by the ref and oneDNN backends.
#pragma once

#include "tnn/kernels/engine.hpp"

#include <functional>
#include <map>
#include <memory>
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
};

// Called with every tensor a reference run produces (NHWC float, n images).
using TensorObserver = std::function<void(int id, const float* data, int64_t count)>;

class Backend {
 public:
  virtual ~Backend() = default;
  virtual void run(const float* images, int64_t n, float* out) = 0;
  virtual std::string describe() const = 0;
};

std::unique_ptr<Backend> make_ref_backend(const Graph& g, TensorObserver observer = nullptr);
std::unique_ptr<Backend> make_f32_backend(const Graph& g, Isa isa);
std::unique_ptr<Backend> make_s8_backend(const Graph& g, Isa isa,
                                         const std::vector<QuantParams>& tensor_params);
std::unique_ptr<Backend> make_onednn_backend(const Graph& g);  // throws without oneDNN

// NHWC float helpers (n images of shape `in`).
void shortcut_a_nhwc(const float* x, int64_t n, const TensorShape& in, const TensorShape& out,
                     int64_t stride, int64_t pad_front, float* y);
void add_nhwc(const float* a, const float* b, int64_t count, bool relu, float* y);
void avgpool_nhwc(const float* x, int64_t n, const TensorShape& in, float* y);
void add_bias(float* y, int64_t n, const std::vector<float>& bias);

}  // namespace tnn::kernels::engine_detail
