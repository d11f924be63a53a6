// BN-AlexNet as the reference code builds it (elliothe/Ternarized_Neural_Network:
// models/alexnet_quan.py): conv1 96x11x11 stride 4 pad 2, then 256 5x5, 384, 384, 256 3x3 convs,
// BN after every conv and after FC6/FC7, no dropout, no conv/FC6/FC7 bias, 3x3/2 max-pools after
// conv1, conv2 and conv5. conv1 and FC8 follow model.first_layer / last_layer (ff_lf / fq_lq).
// Parameter names follow the reference's nn.Sequential indices (features.0, features.1, ...,
// classifier.6), so the authors' state_dicts load by name. One addition: an adaptive 6x6 average
// pool before FC6 (the identity at 224 x 224, as in the reference), so small smoke crops work.
// Init: the reference's (conv N(0, 2/(k*k*C_out)), BN 1/0, FC kaiming-normal, FC8 bias 0).
#include "nn_internal.hpp"
#include "tnn/pack.hpp"

#include <cmath>
#include <stdexcept>

namespace tnn::nn {
namespace {

class AlexNetBN : public Network {
 public:
  explicit AlexNetBN(const ModelConfig& c) : Network(c) {
    QuantizerConfig fp{"fp", nlohmann::json::object()};
    auto q = [&](bool full_precision, const std::string& where) {
      return make_ternarizer(full_precision ? fp : c.quantizer, where);
    };
    features = register_module("features", torch::nn::Sequential());
    struct ConvSpec {
      int64_t in, out, k, stride, pad;
      bool pool_after;
    };
    const ConvSpec convs[] = {{3, 96, 11, 4, 2, true},
                              {96, 256, 5, 1, 2, true},
                              {256, 384, 3, 1, 1, false},
                              {384, 384, 3, 1, 1, false},
                              {384, 256, 3, 1, 1, true}};
    // Output sizes at 224 x 224 (MAC weighting of the sparsity report): 55, 27, 13, 13, 13.
    const int64_t hw[] = {55, 27, 13, 13, 13};
    int i = 0;
    for (const auto& s : convs) {
      const std::string where = i == 0 ? "model.first_layer" : "quantizer";
      auto conv = QConv2d(s.in, s.out, s.k, s.stride, s.pad, false,
                          q(i == 0 && c.first_layer == "fp", where));
      const std::string name = "features." + std::to_string(features->size());
      features->push_back(conv);
      torch::nn::BatchNorm2d bn(s.out);
      features->push_back(bn);
      features->push_back(torch::nn::Functional(torch::relu));
      convs_.push_back({conv, bn, name, ""});
      if (s.pool_after) {
        convs_.back().pool = "features." + std::to_string(features->size());
        features->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2)));
      }
      layers_.push_back(
          {name, conv->weight, conv->quantizer, true, hw[i] * hw[i] * s.out * s.in * s.k * s.k});
      ++i;
    }
    classifier = register_module("classifier", torch::nn::Sequential());
    const int64_t dims[] = {256 * 6 * 6, 4096, 4096, c.num_classes};
    for (int f = 0; f < 3; ++f) {
      const bool last = f == 2;
      auto fc = QLinear(dims[f], dims[f + 1],
                        q(last && c.last_layer == "fp", last ? "model.last_layer" : "quantizer"),
                        /*bias=*/last);
      const std::string name = "classifier." + std::to_string(classifier->size());
      classifier->push_back(fc);
      if (!last) {
        torch::nn::BatchNorm1d bn(dims[f + 1]);
        classifier->push_back(bn);
        classifier->push_back(torch::nn::Functional(torch::relu));
        fc_bns_.push_back(bn);
      }
      layers_.push_back({name, fc->weight, fc->quantizer, false, dims[f] * dims[f + 1]});
      fcs_.push_back(fc);
    }
    init_reference_he(layers_);  // FC8 bias created as zeros
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = features->forward(x);
    x = torch::adaptive_avg_pool2d(x, {6, 6});
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
      m.nodes.push_back(kernels::make_max_pool2d(c.pool, x, c.pool, 3, 2, 0));
      x = c.pool;
    }
    m.nodes.push_back(packed_linear_bn(fcs_[0], fc_bns_[0], layers_[5].name, x, {256, 6, 6}));
    m.nodes.push_back(packed_linear_bn(fcs_[1], fc_bns_[1], layers_[6].name, layers_[5].name));
    m.nodes.push_back(packed_linear(fcs_[2], layers_[7].name, layers_[6].name, "logits"));
    m.output = "logits";
    return m;
  }

 private:
  struct ConvBlock {
    QConv2d conv;
    torch::nn::BatchNorm2d bn;
    std::string name, pool;  // pool: the max-pool after it ("" when none)
  };
  torch::nn::Sequential features{nullptr}, classifier{nullptr};
  std::vector<ConvBlock> convs_;
  std::vector<QLinear> fcs_;
  std::vector<torch::nn::BatchNorm1d> fc_bns_;
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
