// ImageNet ResNet-18/34/50/101 with torchvision's layout and parameter names (conv1, bn1,
// layer1..4.<i>.conv1/bn1/.../downsample.0/.1, fc), so torchvision state_dicts load by name and
// exports load into torchvision. As in the reference code (elliothe/Ternarized_Neural_Network:
// models/ResNet_tern.py): the stem conv and the FC follow model.first_layer / last_layer (ff_lf =
// both FP, fq_lq = both ternary), every other conv including the 1x1 downsample convs is
// ternarized, BN and the FC bias stay FP. Stride in the 3x3 conv of a bottleneck (torchvision).
// Init (used only without pretrained weights): torchvision's (convs kaiming-normal fan-out,
// BN 1/0, FC uniform +-1/sqrt(fan-in)).
#include "nn_internal.hpp"
#include "tnn/pack.hpp"

#include <cmath>
#include <stdexcept>

namespace tnn::nn {
namespace {

struct ImageNetSpec {
  bool bottleneck;
  int blocks[4];
};

ImageNetSpec imagenet_spec_of(int depth) {
  switch (depth) {
    case 18:
      return {false, {2, 2, 2, 2}};
    case 34:
      return {false, {3, 4, 6, 3}};
    case 50:
      return {true, {3, 4, 6, 3}};
    case 101:
      return {true, {3, 4, 23, 3}};
  }
  throw std::invalid_argument("resnet: no ImageNet ResNet of depth " + std::to_string(depth));
}

class ImageNetBlock : public torch::nn::Module {
 public:
  ImageNetBlock(bool bottleneck, int64_t in, int64_t planes, int64_t stride,
                const QuantizerConfig& q)
      : bottleneck_(bottleneck), stride_(stride) {
    const int64_t out = bottleneck ? planes * 4 : planes;
    auto conv = [&](const std::string& name, int64_t ci, int64_t co, int64_t k, int64_t s) {
      return register_module(name, QConv2d(ci, co, k, s, k / 2, false, make_ternarizer(q)));
    };
    if (bottleneck) {
      convs_ = {conv("conv1", in, planes, 1, 1), conv("conv2", planes, planes, 3, stride),
                conv("conv3", planes, out, 1, 1)};
      bns_ = {register_module("bn1", torch::nn::BatchNorm2d(planes)),
              register_module("bn2", torch::nn::BatchNorm2d(planes)),
              register_module("bn3", torch::nn::BatchNorm2d(out))};
    } else {
      convs_ = {conv("conv1", in, planes, 3, stride), conv("conv2", planes, planes, 3, 1)};
      bns_ = {register_module("bn1", torch::nn::BatchNorm2d(planes)),
              register_module("bn2", torch::nn::BatchNorm2d(planes))};
    }
    if (stride != 1 || in != out) {  // projection shortcut: 1x1 conv (always ternarized) + BN
      auto ds = register_module("downsample", torch::nn::ModuleList());
      ds_conv_ = QConv2d(in, out, 1, stride, 0, false, make_ternarizer(q));
      ds_bn_ = torch::nn::BatchNorm2d(out);
      ds->push_back(ds_conv_);
      ds->push_back(ds_bn_);
    }
  }
  torch::Tensor forward(const torch::Tensor& x, Network& net) {
    auto y = x;
    for (size_t i = 0; i < convs_.size(); ++i) {
      y = net.batch_norm(bns_[i], convs_[i](y));
      if (i + 1 < convs_.size()) y = torch::relu(y);
    }
    return torch::relu(y + (ds_conv_ ? net.batch_norm(ds_bn_, ds_conv_(x)) : x));
  }
  // (name suffix, conv) pairs for the model's layer list.
  std::vector<std::pair<std::string, QConv2d>> convs() const {
    std::vector<std::pair<std::string, QConv2d>> out;
    for (size_t i = 0; i < convs_.size(); ++i)
      out.push_back({"conv" + std::to_string(i + 1), convs_[i]});
    if (ds_conv_) out.push_back({"downsample.0", ds_conv_});
    return out;
  }
  bool bottleneck_;
  int64_t stride_;
  std::vector<QConv2d> convs_;
  std::vector<torch::nn::BatchNorm2d> bns_;
  QConv2d ds_conv_{nullptr};
  torch::nn::BatchNorm2d ds_bn_{nullptr};
};

class ResNetImageNet : public Network {
 public:
  ResNetImageNet(int depth, const ModelConfig& c) : Network(c) {
    const ImageNetSpec spec = imagenet_spec_of(depth);
    QuantizerConfig fp{"fp", nlohmann::json::object()};
    conv1 = register_module(
        "conv1",
        QConv2d(3, 64, 7, 2, 3, false,
                make_ternarizer(c.first_layer == "fp" ? fp : c.quantizer, "model.first_layer")));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(64));
    // MACs at the nominal 224 x 224 input (the weighting of the sparsity report).
    int64_t hw = 112;
    layers_.push_back({"conv1", conv1->weight, conv1->quantizer, true, hw * hw * 64 * 3 * 49});
    hw = 56;  // after the 3x3 / 2 max-pool
    int64_t in = 64;
    for (int s = 0; s < 4; ++s) {
      const int64_t planes = 64 << s;
      auto stage = register_module("layer" + std::to_string(s + 1), torch::nn::ModuleList());
      blocks_per_stage_.push_back(spec.blocks[s]);
      for (int i = 0; i < spec.blocks[s]; ++i) {
        const int64_t stride = (s > 0 && i == 0) ? 2 : 1;
        auto b = std::make_shared<ImageNetBlock>(spec.bottleneck, in, planes, stride, c.quantizer);
        stage->push_back(b);
        blocks_.push_back(b);
        const std::string prefix = "layer" + std::to_string(s + 1) + "." + std::to_string(i) + ".";
        const int64_t out_hw = hw / stride;
        for (auto& [name, conv] : b->convs()) {
          const auto& w = conv->weight;
          // conv1 of a bottleneck runs at the input resolution, everything after its stride at
          // out_hw.
          const int64_t at = (spec.bottleneck && name == "conv1") ? hw : out_hw;
          layers_.push_back({prefix + name, w, conv->quantizer, true,
                             at * at * w.size(0) * w.size(1) * w.size(2) * w.size(3)});
        }
        hw = out_hw;
        in = spec.bottleneck ? planes * 4 : planes;
      }
    }
    fc = register_module("fc", QLinear(in, c.num_classes,
                                       make_ternarizer(c.last_layer == "fp" ? fp : c.quantizer,
                                                       "model.last_layer")));
    layers_.push_back({"fc", fc->weight, fc->quantizer, false, in * c.num_classes});
    init_weights();
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = torch::relu(batch_norm(bn1, conv1(x)));
    x = torch::max_pool2d(x, 3, 2, 1);
    for (auto& b : blocks_) x = b->forward(x, *this);
    return fc(x.mean({2, 3}));
  }
  std::vector<QuantLayer> quant_layers() override { return layers_; }
  bool routes_batch_norm() const override { return true; }
  // conv1+BN+ReLU, 3x3 / 2 max-pool; per block: the projection (1x1 conv+BN) if any, the
  // convs+BN (ReLU after all but the last), add+ReLU; global pool; FC. The projection comes
  // first so the add's second operand exists before the block's last conv, which then takes
  // the add in its epilogue (the engine's residual fusion).
  kernels::Model to_packed() override {
    kernels::Model m;
    m.name = config_.arch;
    m.in_h = m.in_w = 224;  // the evaluation crop; the graph itself runs any size
    m.in_c = 3;
    auto conv = [&](QConv2d& c, torch::nn::BatchNorm2d& b, const std::string& name,
                    const std::string& in, bool relu) {
      m.nodes.push_back(packed_conv(c, b, name, in, relu));
      return name;
    };
    conv(conv1, bn1, "conv1", m.input, true);
    m.nodes.push_back(kernels::make_max_pool2d("maxpool", "conv1", "maxpool", 3, 2, 1));
    std::string x = "maxpool";
    size_t b = 0;
    for (size_t s = 0; s < 4; ++s)
      for (int64_t i = 0; i < blocks_per_stage_[s]; ++i, ++b) {
        ImageNetBlock& block = *blocks_[b];
        const std::string name = "layer" + std::to_string(s + 1) + "." + std::to_string(i);
        const std::string sc =
            block.ds_conv_ ? conv(block.ds_conv_, block.ds_bn_, name + ".downsample", x, false) : x;
        std::string y = x;
        for (size_t k = 0; k < block.convs_.size(); ++k)
          y = conv(block.convs_[k], block.bns_[k], name + ".conv" + std::to_string(k + 1), y,
                   k + 1 < block.convs_.size());
        m.nodes.push_back(kernels::make_add(name + ".add", y, sc, name + ".out", true));
        x = name + ".out";
      }
    m.nodes.push_back(kernels::make_global_avgpool("avgpool", x, "avgpool"));
    m.nodes.push_back(packed_linear(fc, "fc", "avgpool", "logits"));
    m.output = "logits";
    return m;
  }

 private:
  void init_weights() {
    torch::NoGradGuard ng;
    for (auto& l : layers_) {
      if (l.is_conv) {
        torch::nn::init::kaiming_normal_(l.weight, 0.0, torch::kFanOut, torch::kReLU);
      } else {
        const double bound = 1.0 / std::sqrt(double(l.weight.size(1)));
        l.weight.uniform_(-bound, bound);
        fc->bias.uniform_(-bound, bound);
      }
    }
  }

  QConv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  std::vector<std::shared_ptr<ImageNetBlock>> blocks_;
  std::vector<int64_t> blocks_per_stage_;
  QLinear fc{nullptr};
  std::vector<QuantLayer> layers_;
};

}  // namespace

ModelInfo resnet_imagenet_info(int depth) {
  return {"resnet" + std::to_string(depth),
          "ImageNet ResNet-" + std::to_string(depth) + " (torchvision layout and names)",
          [depth](const ModelConfig& c) -> std::shared_ptr<Network> {
            return std::make_shared<ResNetImageNet>(depth, c);
          }};
}

}  // namespace tnn::nn
