// CIFAR ResNet-(6n+2) as in the reference code (elliothe/Ternarized_Neural_Network:
// models/tern_resnet_cifar.py): 16/32/64 channels, BasicBlocks (3x3 conv, BN, ReLU), option-A
// parameter-free shortcuts (stride-2 subsample + zero channels), global average pool, FC.
// Init: conv ~ N(0, 2 / (k*k*C_out)), BN gamma 1 beta 0, FC kaiming-normal (fan-in), bias 0.
#include "nn_internal.hpp"

#include <cmath>

namespace tnn::nn {
namespace {
using torch::indexing::None;
using torch::indexing::Slice;

class Block : public torch::nn::Module {
 public:
  Block(int64_t in, int64_t planes, int64_t stride, const QuantizerConfig& q)
      : stride_(stride), pad_channels_(planes - in) {
    conv_a = register_module("conv_a", QConv2d(in, planes, 3, stride, 1, false, make_ternarizer(q)));
    bn_a = register_module("bn_a", torch::nn::BatchNorm2d(planes));
    conv_b = register_module("conv_b", QConv2d(planes, planes, 3, 1, 1, false, make_ternarizer(q)));
    bn_b = register_module("bn_b", torch::nn::BatchNorm2d(planes));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto y = torch::relu(bn_a(conv_a(x)));
    y = bn_b(conv_b(y));
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
                                           make_ternarizer(c.first_layer == "fp" ? fp : c.quantizer, "model.first_layer")));
    bn = register_module("bn", torch::nn::BatchNorm2d(16));
    int64_t in = 16, hw = 32;
    add_layer("stem", stem, 32 * 32 * 16 * 3 * 9);
    for (int s = 0; s < 3; ++s) {
      int64_t planes = 16 << s;
      auto stage = register_module("stage" + std::to_string(s + 1), torch::nn::ModuleList());
      for (int i = 0; i < n; ++i) {
        int64_t stride = (s > 0 && i == 0) ? 2 : 1;
        auto b = std::make_shared<Block>(in, planes, stride, c.quantizer);
        std::string name = "stage" + std::to_string(s + 1) + "." + std::to_string(i);
        stage->push_back(b);
        blocks.push_back(b);
        hw /= stride;
        add_layer(name + ".conv_a", b->conv_a, hw * hw * planes * in * 9);
        add_layer(name + ".conv_b", b->conv_b, hw * hw * planes * planes * 9);
        in = planes;
      }
    }
    fc = register_module("fc", QLinear(64, c.num_classes,
                                       make_ternarizer(c.last_layer == "fp" ? fp : c.quantizer, "model.last_layer")));
    layers_.push_back({"fc", fc->weight, fc->quantizer, false, 64 * c.num_classes});
    init_weights();
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = torch::relu(bn(stem(x)));
    for (auto& b : blocks) x = b->forward(x);
    x = x.mean({2, 3});
    return fc(x);
  }
  std::vector<QuantLayer> quant_layers() override { return layers_; }

 private:
  void add_layer(const std::string& name, QConv2d& conv, int64_t macs) {
    layers_.push_back({name, conv->weight, conv->quantizer, true, macs});
  }
  void init_weights() {
    torch::NoGradGuard ng;
    for (auto& l : layers_) {
      if (l.is_conv) {
        const double n = double(l.weight.size(2) * l.weight.size(3) * l.weight.size(0));
        l.weight.normal_(0, std::sqrt(2.0 / n));
      } else {
        torch::nn::init::kaiming_normal_(l.weight);  // fan_in, gain sqrt(2)
      }
    }
    // BatchNorm2d defaults are gamma 1, beta 0; biases were created as zeros.
  }

  QConv2d stem{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  std::vector<std::shared_ptr<Block>> blocks;
  QLinear fc{nullptr};
  std::vector<QuantLayer> layers_;
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
