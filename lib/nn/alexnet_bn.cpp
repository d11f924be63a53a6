// BN-AlexNet as the reference code builds it (elliothe/Ternarized_Neural_Network:
// models/alexnet_quan.py): conv1 96x11x11 stride 4 pad 2, then 256 5x5, 384, 384, 256 3x3 convs,
// BN after every conv and after FC6/FC7, no dropout, no conv/FC6/FC7 bias, 3x3/2 max-pools after
// conv1, conv2 and conv5. conv1 and FC8 follow model.first_layer / last_layer (ff_lf / fq_lq).
// Parameter names follow the reference's nn.Sequential indices (features.0, features.1, ...,
// classifier.6), so the authors' state_dicts load by name. One addition: an adaptive 6x6 average
// pool before FC6 (the identity at 224 x 224, as in the reference), so small smoke crops work.
// Init: the reference's (conv N(0, 2/(k*k*C_out)), BN 1/0, FC kaiming-normal, FC8 bias 0).
#include "nn_internal.hpp"
#include "tnn/kernels/alexnet_layers.hpp"
#include "tnn/pack.hpp"

#include <cmath>
#include <stdexcept>

namespace tnn::nn {
namespace {

using namespace kernels::alexnet;

class AlexNetBN : public Network {
 public:
  explicit AlexNetBN(const ModelConfig& c) : Network(c) {
    QuantizerConfig fp{"fp", nlohmann::json::object()};
    auto q = [&](bool full_precision, const std::string& where) {
      return make_ternarizer(full_precision ? fp : c.quantizer, where);
    };
    features = register_module("features", torch::nn::Sequential());
    int i = 0;
    for (const auto& s : kConvs) {
      const std::string where = i == 0 ? "model.first_layer" : "quantizer";
      auto conv = QConv2d(s.in, s.out, s.kernel, s.stride, s.pad, false,
                          q(i == 0 && c.first_layer == "fp", where));
      const std::string name = "features." + std::to_string(features->size());
      features->push_back(conv);
      torch::nn::BatchNorm2d bn(s.out);
      features->push_back(bn);
      features->push_back(torch::nn::Functional(torch::relu));
      convs_.push_back({conv, bn, name, ""});
      if (s.pool_after) {
        convs_.back().pool = "features." + std::to_string(features->size());
        features->push_back(
            torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(kPoolKernel).stride(kPoolStride)));
      }
      // MACs at 224 x 224 weight the sparsity report.
      const int64_t macs = s.out_hw_224 * s.out_hw_224 * s.out * s.in * s.kernel * s.kernel;
      layers_.push_back({name, conv->weight, conv->quantizer, true, macs});
      ++i;
    }
    classifier = register_module("classifier", torch::nn::Sequential());
    const int64_t dims[] = {kFeatureChannels * kFeatureHW * kFeatureHW, kHidden, kHidden,
                            c.num_classes};
    for (int f = 0; f < 3; ++f) {
      const bool last = f == 2;
      auto fc = QLinear(dims[f], dims[f + 1],
                        q(last && c.last_layer == "fp", last ? "model.last_layer" : "quantizer"),
                        /*bias=*/last);
      const std::string name = "classifier." + std::to_string(classifier->size());
      classifier->push_back(fc);
      torch::nn::BatchNorm1d bn{nullptr};  // FC6 and FC7 only
      if (!last) {
        bn = torch::nn::BatchNorm1d(dims[f + 1]);
        classifier->push_back(bn);
        classifier->push_back(torch::nn::Functional(torch::relu));
      }
      layers_.push_back({name, fc->weight, fc->quantizer, false, dims[f] * dims[f + 1]});
      fcs_.push_back({fc, bn, name});
    }
    init_reference_he(layers_);  // FC8 bias created as zeros
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = features->forward(x);
    x = torch::adaptive_avg_pool2d(x, {kFeatureHW, kFeatureHW});
    return classifier->forward(x.flatten(1));
  }
  std::vector<QuantLayer> quant_layers() override { return layers_; }
  // Each conv+BN+ReLU one conv2d node, the max-pools, FC6 on the 6x6x256 map (columns reordered
  // to NHWC) and FC7 with their BN1d and ReLU folded in, FC8. At 224 x 224 only: there the
  // adaptive pool is the identity, which the graph leaves out (other sizes fail shape checks).
  kernels::Model to_packed() override {
    kernels::Model m;
    m.name = config_.arch;
    m.in_h = m.in_w = 224;
    m.in_c = 3;
    std::string x = m.input;
    for (auto& c : convs_) {
      m.nodes.push_back(packed_conv(c.conv, c.bn, c.name, x, /*relu=*/true));
      x = c.name;
      if (c.pool.empty()) continue;
      m.nodes.push_back(kernels::make_max_pool2d(c.pool, x, c.pool, kPoolKernel, kPoolStride, 0));
      x = c.pool;
    }
    auto &fc6 = fcs_[0], &fc7 = fcs_[1], &fc8 = fcs_[2];
    m.nodes.push_back(
        packed_linear_bn(fc6.fc, fc6.bn, fc6.name, x, {kFeatureChannels, kFeatureHW, kFeatureHW}));
    m.nodes.push_back(packed_linear_bn(fc7.fc, fc7.bn, fc7.name, fc6.name));
    m.nodes.push_back(packed_linear(fc8.fc, fc8.name, fc7.name, "logits"));
    m.output = "logits";
    return m;
  }

 private:
  struct ConvBlock {
    QConv2d conv;
    torch::nn::BatchNorm2d bn;
    std::string name, pool;  // pool: the max-pool after it ("" when none)
  };
  struct FcLayer {
    QLinear fc;
    torch::nn::BatchNorm1d bn;  // empty for FC8
    std::string name;
  };
  torch::nn::Sequential features{nullptr}, classifier{nullptr};
  std::vector<ConvBlock> convs_;
  std::vector<FcLayer> fcs_;
  std::vector<QuantLayer> layers_;
};

}  // namespace

ModelInfo alexnet_bn_info() {
  return {"alexnet_bn", "BN-AlexNet of the WACV'19 reference code (ImageNet)",
          [](const ModelConfig& c) -> std::shared_ptr<Network> {
            return std::make_shared<AlexNetBN>(c);
          }};
}

}  // namespace tnn::nn
