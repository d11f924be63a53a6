// CIFAR ResNet-(6n+2) as in the reference code (elliothe/Ternarized_Neural_Network:
// models/tern_resnet_cifar.py): 16/32/64 channels, BasicBlocks (3x3 conv, BN, ReLU), option-A
// parameter-free shortcuts (stride-2 subsample + zero channels), global average pool, FC.
// Init: conv ~ N(0, 2 / (k*k*C_out)), BN gamma 1 beta 0, FC kaiming-normal (fan-in), bias 0.
#include "nn_internal.hpp"
#include "tnn/pack.hpp"

#include <cmath>

namespace tnn::nn {
namespace {
using torch::indexing::None;
using torch::indexing::Slice;

class CifarBlock : public torch::nn::Module {
 public:
  CifarBlock(int64_t in, int64_t planes, int64_t stride, const QuantizerConfig& q)
      : stride_(stride), pad_channels_(planes - in) {
    conv_a =
        register_module("conv_a", QConv2d(in, planes, 3, stride, 1, false, make_ternarizer(q)));
    bn_a = register_module("bn_a", torch::nn::BatchNorm2d(planes));
    conv_b = register_module("conv_b", QConv2d(planes, planes, 3, 1, 1, false, make_ternarizer(q)));
    bn_b = register_module("bn_b", torch::nn::BatchNorm2d(planes));
  }
  torch::Tensor forward(const torch::Tensor& x, Network& net) {
    auto y = torch::relu(net.batch_norm(bn_a, conv_a(x)));
    y = net.batch_norm(bn_b, conv_b(y));
    return torch::relu(y + shortcut(x));
  }
  // Option A: x[:, :, ::2, ::2] then zero channels appended (reference DownsampleA).
  torch::Tensor shortcut(const torch::Tensor& x) const {
    if (stride_ == 1 && pad_channels_ == 0) return x;
    auto s = x.index({Slice(), Slice(), Slice(None, None, stride_), Slice(None, None, stride_)});
    return torch::cat({s, torch::zeros_like(s).narrow(1, 0, pad_channels_)}, 1);
  }
  QConv2d conv_a{nullptr}, conv_b{nullptr};
  torch::nn::BatchNorm2d bn_a{nullptr}, bn_b{nullptr};
  int64_t stride_, pad_channels_;
};

class ResNetCifar : public Network {
 public:
  ResNetCifar(int depth, const ModelConfig& c) : Network(c) {
    const int n = (depth - 2) / 6;
    QuantizerConfig fp{"fp", nlohmann::json::object()};
    stem = register_module("stem", QConv2d(3, 16, 3, 1, 1, false,
                                           make_ternarizer(c.first_layer == "fp" ? fp : c.quantizer,
                                                           "model.first_layer")));
    bn = register_module("bn", torch::nn::BatchNorm2d(16));
    int64_t in = 16, hw = 32;
    add_layer("stem", stem, 32 * 32 * 16 * 3 * 9);
    for (int s = 0; s < 3; ++s) {
      int64_t planes = 16 << s;
      auto stage = register_module("stage" + std::to_string(s + 1), torch::nn::ModuleList());
      for (int i = 0; i < n; ++i) {
        int64_t stride = (s > 0 && i == 0) ? 2 : 1;
        auto b = std::make_shared<CifarBlock>(in, planes, stride, c.quantizer);
        std::string name = "stage" + std::to_string(s + 1) + "." + std::to_string(i);
        stage->push_back(b);
        blocks.push_back(b);
        block_names_.push_back(name);
        hw /= stride;
        add_layer(name + ".conv_a", b->conv_a, hw * hw * planes * in * 9);
        add_layer(name + ".conv_b", b->conv_b, hw * hw * planes * planes * 9);
        in = planes;
      }
    }
    fc = register_module("fc", QLinear(64, c.num_classes,
                                       make_ternarizer(c.last_layer == "fp" ? fp : c.quantizer,
                                                       "model.last_layer")));
    layers_.push_back({"fc", fc->weight, fc->quantizer, false, 64 * c.num_classes});
    init_reference_he(layers_);  // BatchNorm2d defaults: gamma 1, beta 0
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = torch::relu(batch_norm(bn, stem(x)));
    for (auto& b : blocks) x = b->forward(x, *this);
    x = x.mean({2, 3});
    return fc(x);
  }
  std::vector<QuantLayer> quant_layers() override { return layers_; }
  bool routes_batch_norm() const override { return true; }

  // stem conv+BN+ReLU, per block: conv_a+BN+ReLU, conv_b+BN, option-A shortcut, add+ReLU; pool; FC.
  kernels::Model to_packed() override {
    kernels::Model m;
    m.name = config_.arch;
    m.in_h = m.in_w = 32;
    m.in_c = 3;
    auto conv = [&](QConv2d& c, torch::nn::BatchNorm2d& b, const std::string& name,
                    const std::string& in, bool relu) {
      m.nodes.push_back(packed_conv(c, b, name, in, relu));
      return name;
    };
    std::string x = conv(stem, bn, "stem", m.input, true);
    for (size_t i = 0; i < blocks.size(); ++i) {
      auto& b = *blocks[i];
      std::string name = block_names_[i];
      std::string y = conv(b.conv_a, b.bn_a, name + ".conv_a", x, true);
      y = conv(b.conv_b, b.bn_b, name + ".conv_b", y, false);
      std::string sc = x;
      if (b.stride_ != 1 || b.pad_channels_ != 0) {
        sc = name + ".shortcut";
        m.nodes.push_back(kernels::make_shortcut_a(sc, x, sc, b.conv_b->weight.size(0), b.stride_));
      }
      m.nodes.push_back(kernels::make_add(name + ".add", y, sc, name + ".out", true));
      x = name + ".out";
    }
    m.nodes.push_back(kernels::make_global_avgpool("pool", x, "pool"));
    m.nodes.push_back(packed_linear(fc, "fc", "pool", "logits"));
    m.output = "logits";
    return m;
  }

 private:
  void add_layer(const std::string& name, QConv2d& conv, int64_t macs) {
    layers_.push_back({name, conv->weight, conv->quantizer, true, macs});
  }
  QConv2d stem{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  std::vector<std::shared_ptr<CifarBlock>> blocks;
  QLinear fc{nullptr};
  std::vector<QuantLayer> layers_;
  std::vector<std::string> block_names_;
};

}  // namespace

ModelInfo resnet_cifar_info(int depth) {
  return {"resnet" + std::to_string(depth),
          "CIFAR ResNet-" + std::to_string(depth) + " (option-A shortcuts, reference init)",
          [depth](const ModelConfig& c) -> std::shared_ptr<Network> {
            return std::make_shared<ResNetCifar>(depth, c);
          }};
}

}  // namespace tnn::nn
