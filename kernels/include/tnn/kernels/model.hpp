// The packed model (.tnn): an in-memory graph of conv2d / shortcut_a / add / global_avgpool /
// linear nodes with dense FP32 or ternary (2-bit, 1..4 terms) weights, and its file format
// (docs/packed-format.md): a 32-byte header, a JSON description, a 64-byte aligned binary blob.
// Torch-free: `tnn pack` builds a Model from a trained network and calls write_model();
// `tnn infer` calls read_model() and runs it with an Engine (engine.hpp).
#pragma once

#include "tnn/kernels/footprint.hpp"
#include "tnn/kernels/types.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tnn::kernels {

constexpr char kModelMagic[8] = {'T', 'N', 'N', 'M', 'O', 'D', 'E', 'L'};
constexpr uint32_t kModelVersion = 1;

enum class OpType { kConv2d, kShortcutA, kAdd, kGlobalAvgPool, kLinear, kMaxPool2d };
const char* op_name(OpType op);             // "conv2d", "shortcut_a", ...
OpType op_from_name(const std::string& s);  // throws std::invalid_argument

// Weights of a conv2d (OHWI: [K][kh][kw][C]) or linear ([out][in]) node: FP32 dense, or ternary
// with rows = K / out and cols = kh*kw*C / in.
struct LayerWeights {
  bool ternary = false;
  std::vector<float> dense;
  TernaryWeights tern;
  int64_t rows() const { return ternary ? tern.rows : 0; }
};

struct Node {
  OpType op = OpType::kConv2d;
  std::string name;
  std::vector<std::string> inputs;  // tensor names (add: two)
  std::string output;               // tensor name, unique in the model
  // conv2d: out_channels, kernel_h/w, stride, pad. linear: out_channels = out features; its
  // input is a vector or a spatial tensor read as one vector in NHWC order (h, w, c).
  // shortcut_a: out_channels (>= input channels) and stride; zero channels are appended after
  // the subsampled input (pad_front of them go before it instead). max_pool2d: kernel_h/w,
  // stride, pad (padding never wins, as in PyTorch's max_pool2d; every window holds an input).
  int64_t out_channels = 0, kernel_h = 1, kernel_w = 1, stride = 1, pad = 0, pad_front = 0;
  LayerWeights weights;  // conv2d, linear
  // conv2d: y = mul[k]*conv + add[k] (folded BN). linear: y = mul[k]*(W x + bias[k]) + add[k]
  // (BN1d after the layer, as in BN-AlexNet). An empty side is the identity.
  std::vector<float> affine_mul, affine_add;
  std::vector<float> bias;  // linear
  bool relu = false;        // conv2d and linear (after the affine), add
};

struct Model {
  std::string name;
  std::string input = "input";  // the image tensor, NHWC float
  int64_t in_h = 0, in_w = 0, in_c = 0;
  std::vector<Node> nodes;                             // topological order
  std::string output;                                  // the logits tensor
  nlohmann::json metadata = nlohmann::json::object();  // provenance: experiment, method, top-1...
};

// Shape of an activation tensor (per image, NHWC). Vectors (after pooling) have h = w = 1.
struct TensorShape {
  int64_t h = 0, w = 0, c = 0;
  bool operator==(const TensorShape& o) const { return h == o.h && w == o.w && c == o.c; }
};

// Checks every node (inputs defined before use, weight sizes, scales, attributes) and returns
// the shape of every tensor. Throws std::invalid_argument naming the node.
std::map<std::string, TensorShape> infer_shapes(const Model& m);
// The ConvShape (batch n) of a conv2d node whose input has shape `in`.
ConvShape conv_shape(const Node& conv, const TensorShape& in, int64_t n = 1);

// Node factories for writers (`tnn pack`): they fill the attributes, nothing else.
Node make_conv2d(const std::string& name, const std::string& input, const std::string& output,
                 int64_t out_channels, int64_t kernel, int64_t stride, int64_t pad,
                 LayerWeights weights, std::vector<float> affine_mul = {},
                 std::vector<float> affine_add = {}, bool relu = false);
Node make_shortcut_a(const std::string& name, const std::string& input, const std::string& output,
                     int64_t out_channels, int64_t stride);
Node make_add(const std::string& name, const std::string& a, const std::string& b,
              const std::string& output, bool relu);
Node make_global_avgpool(const std::string& name, const std::string& input,
                         const std::string& output);
Node make_linear(const std::string& name, const std::string& input, const std::string& output,
                 int64_t out_features, LayerWeights weights, std::vector<float> bias = {},
                 std::vector<float> affine_mul = {}, std::vector<float> affine_add = {},
                 bool relu = false);
Node make_max_pool2d(const std::string& name, const std::string& input, const std::string& output,
                     int64_t kernel, int64_t stride, int64_t pad);

// File I/O. write_model validates, writes `path`.tmp.<pid> and renames it over `path`
// (atomic on POSIX); read_model validates the header, the JSON and every tensor's bounds.
void write_model(const Model& m, const std::string& path);
Model read_model(const std::string& path);
// Writes `path`.tmp.<pid> and renames it over `path` (also used for the engine's tuning cache).
void write_bytes_atomic(const std::string& path, const void* data, size_t size);
// The same bytes in memory (for tests and for embedding).
std::vector<uint8_t> serialize_model(const Model& m);
Model deserialize_model(const uint8_t* data, size_t size, const std::string& origin = "<memory>");

// Footprint and sparsity of a model: tnn/kernels/measures.hpp.

}  // namespace tnn::kernels
