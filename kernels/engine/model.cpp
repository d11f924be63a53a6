// Model graph validation, shape inference, node factories and accounting.
#include "tnn/kernels/model.hpp"

#include "tnn/kernels/pack.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace tnn::kernels {

const char* op_name(OpType op) {
  switch (op) {
    case OpType::kConv2d:
      return "conv2d";
    case OpType::kShortcutA:
      return "shortcut_a";
    case OpType::kAdd:
      return "add";
    case OpType::kGlobalAvgPool:
      return "global_avgpool";
    case OpType::kLinear:
      return "linear";
    case OpType::kMaxPool2d:
      return "max_pool2d";
  }
  return "?";
}

OpType op_from_name(const std::string& s) {
  for (OpType op : {OpType::kConv2d, OpType::kShortcutA, OpType::kAdd, OpType::kGlobalAvgPool,
                    OpType::kLinear, OpType::kMaxPool2d})
    if (s == op_name(op)) return op;
  throw std::invalid_argument(
      "unknown op '" + s +
      "' (expected conv2d, shortcut_a, add, global_avgpool, linear, max_pool2d)");
}

ConvShape conv_shape(const Node& conv, const TensorShape& in, int64_t n) {
  ConvShape s;
  s.n = n;
  s.h = in.h;
  s.w = in.w;
  s.c = in.c;
  s.k = conv.out_channels;
  s.kh = conv.kernel_h;
  s.kw = conv.kernel_w;
  s.stride = conv.stride;
  s.pad = conv.pad;
  return s;
}

namespace {

[[noreturn]] void fail(const Node& n, const std::string& what) {
  throw std::invalid_argument("model node '" + n.name + "' (" + op_name(n.op) + "): " + what);
}

void check_weights(const Node& n, int64_t rows, int64_t cols) {
  const LayerWeights& w = n.weights;
  if (w.ternary) {
    if (w.tern.rows != rows || w.tern.cols != cols)
      fail(n, "ternary weights are " + std::to_string(w.tern.rows) + "x" +
                  std::to_string(w.tern.cols) + ", expected " + std::to_string(rows) + "x" +
                  std::to_string(cols));
    if (w.tern.terms.size() > 4) fail(n, "at most 4 ternary terms");
    try {
      w.tern.validate();
    } catch (const std::invalid_argument& e) {
      fail(n, e.what());
    }
  } else if (int64_t(w.dense.size()) != rows * cols) {
    fail(n, "dense weights hold " + std::to_string(w.dense.size()) + " values, expected " +
                std::to_string(rows * cols));
  }
}

}  // namespace

std::map<std::string, TensorShape> infer_shapes(const Model& m) {
  if (m.in_h < 1 || m.in_w < 1 || m.in_c < 1)
    throw std::invalid_argument("model '" + m.name + "': input shape must be positive");
  std::map<std::string, TensorShape> shapes{{m.input, {m.in_h, m.in_w, m.in_c}}};
  std::set<std::string> names;
  for (const Node& n : m.nodes) {
    if (!names.insert(n.name).second) fail(n, "duplicate node name");
    const size_t arity = n.op == OpType::kAdd ? 2 : 1;
    if (n.inputs.size() != arity) fail(n, "expects " + std::to_string(arity) + " input(s)");
    std::vector<TensorShape> in;
    for (const auto& t : n.inputs) {
      auto it = shapes.find(t);
      if (it == shapes.end()) fail(n, "input tensor '" + t + "' is not defined before this node");
      in.push_back(it->second);
    }
    if (n.output.empty() || shapes.count(n.output)) fail(n, "output tensor name must be new");
    TensorShape out;
    switch (n.op) {
      case OpType::kConv2d: {
        if (n.out_channels < 1 || n.kernel_h < 1 || n.kernel_w < 1 || n.stride < 1 || n.pad < 0)
          fail(n, "bad attributes");
        const ConvShape s = conv_shape(n, in[0]);
        if (s.oh() < 1 || s.ow() < 1) fail(n, "kernel does not fit the input " + s.str());
        check_weights(n, s.k, s.patch());
        for (const auto* v : {&n.affine_mul, &n.affine_add})
          if (!v->empty() && int64_t(v->size()) != s.k)
            fail(n, "affine needs one value per channel");
        out = {s.oh(), s.ow(), s.k};
        break;
      }
      case OpType::kShortcutA:
        if (n.stride < 1 || n.pad_front < 0 || n.out_channels < in[0].c + n.pad_front)
          fail(n, "needs stride >= 1 and out_channels >= input channels + pad_front");
        out = {(in[0].h + n.stride - 1) / n.stride, (in[0].w + n.stride - 1) / n.stride,
               n.out_channels};
        break;
      case OpType::kAdd:
        if (!(in[0] == in[1])) fail(n, "the two inputs differ in shape");
        out = in[0];
        break;
      case OpType::kGlobalAvgPool:
        out = {1, 1, in[0].c};
        break;
      case OpType::kMaxPool2d: {
        // pad < kernel keeps an input pixel in every window (PyTorch requires pad <= kernel/2).
        if (n.kernel_h < 1 || n.kernel_w < 1 || n.stride < 1 || n.pad < 0 ||
            2 * n.pad > std::min(n.kernel_h, n.kernel_w))
          fail(n, "needs kernel >= 1, stride >= 1 and 0 <= pad <= kernel / 2");
        ConvShape s = conv_shape(n, in[0]);
        s.k = in[0].c;
        if (s.oh() < 1 || s.ow() < 1) fail(n, "kernel does not fit the input " + s.str());
        out = {s.oh(), s.ow(), in[0].c};
        break;
      }
      case OpType::kLinear:
        if (n.out_channels < 1) fail(n, "out_channels must be positive");
        check_weights(n, n.out_channels, in[0].h * in[0].w * in[0].c);  // NHWC flattened
        for (const auto* v : {&n.bias, &n.affine_mul, &n.affine_add})
          if (!v->empty() && int64_t(v->size()) != n.out_channels)
            fail(n, "bias and affine need one value per output");
        out = {1, 1, n.out_channels};
        break;
    }
    shapes[n.output] = out;
  }
  if (!shapes.count(m.output))
    throw std::invalid_argument("model '" + m.name + "': output tensor '" + m.output +
                                "' is never produced");
  return shapes;
}

Node make_conv2d(const std::string& name, const std::string& input, const std::string& output,
                 int64_t out_channels, int64_t kernel, int64_t stride, int64_t pad,
                 LayerWeights weights, std::vector<float> affine_mul, std::vector<float> affine_add,
                 bool relu) {
  Node n;
  n.op = OpType::kConv2d;
  n.name = name;
  n.inputs = {input};
  n.output = output;
  n.out_channels = out_channels;
  n.kernel_h = n.kernel_w = kernel;
  n.stride = stride;
  n.pad = pad;
  n.weights = std::move(weights);
  n.affine_mul = std::move(affine_mul);
  n.affine_add = std::move(affine_add);
  n.relu = relu;
  return n;
}

Node make_shortcut_a(const std::string& name, const std::string& input, const std::string& output,
                     int64_t out_channels, int64_t stride) {
  Node n;
  n.op = OpType::kShortcutA;
  n.name = name;
  n.inputs = {input};
  n.output = output;
  n.out_channels = out_channels;
  n.stride = stride;
  return n;
}

Node make_add(const std::string& name, const std::string& a, const std::string& b,
              const std::string& output, bool relu) {
  Node n;
  n.op = OpType::kAdd;
  n.name = name;
  n.inputs = {a, b};
  n.output = output;
  n.relu = relu;
  return n;
}

Node make_global_avgpool(const std::string& name, const std::string& input,
                         const std::string& output) {
  Node n;
  n.op = OpType::kGlobalAvgPool;
  n.name = name;
  n.inputs = {input};
  n.output = output;
  return n;
}

Node make_max_pool2d(const std::string& name, const std::string& input, const std::string& output,
                     int64_t kernel, int64_t stride, int64_t pad) {
  Node n;
  n.op = OpType::kMaxPool2d;
  n.name = name;
  n.inputs = {input};
  n.output = output;
  n.kernel_h = n.kernel_w = kernel;
  n.stride = stride;
  n.pad = pad;
  return n;
}

Node make_linear(const std::string& name, const std::string& input, const std::string& output,
                 int64_t out_features, LayerWeights weights, std::vector<float> bias,
                 std::vector<float> affine_mul, std::vector<float> affine_add, bool relu) {
  Node n;
  n.op = OpType::kLinear;
  n.name = name;
  n.inputs = {input};
  n.output = output;
  n.out_channels = out_features;
  n.weights = std::move(weights);
  n.bias = std::move(bias);
  n.affine_mul = std::move(affine_mul);
  n.affine_add = std::move(affine_add);
  n.relu = relu;
  return n;
}

}  // namespace tnn::kernels
