// The model registry: one line per model.
#include "nn_internal.hpp"

#include <stdexcept>

namespace tnn {

const std::vector<ModelInfo>& model_registry() {
  static const std::vector<ModelInfo> registry = {
      nn::resnet_cifar_info(20),    nn::resnet_cifar_info(32),    nn::resnet_cifar_info(44),
      nn::resnet_cifar_info(56),    nn::resnet_cifar_info(110),   nn::resnet_imagenet_info(18),
      nn::resnet_imagenet_info(34), nn::resnet_imagenet_info(50), nn::resnet_imagenet_info(101),
      nn::alexnet_bn_info(),
  };
  return registry;
}

void Network::init_quantizers_from_weights() {
  for (auto& l : quant_layers()) l.quantizer->init_from_weight(l.weight);
}

std::shared_ptr<Network> make_model(const ModelConfig& c, const std::string& where) {
  for (const auto& s : {c.first_layer, c.last_layer})
    if (s != "fp" && s != "ternary")
      throw std::invalid_argument(where + ".first_layer/last_layer: expected fp or ternary, got '" +
                                  s + "'");
  for (const auto& info : model_registry()) {
    if (info.name != c.arch) continue;
    auto net = info.make(c);
    net->init_quantizers_from_weights();
    if (c.channels_last) {
      torch::NoGradGuard ng;
      for (auto& p : net->parameters())
        if (p.dim() == 4) p.set_data(p.data().contiguous(at::MemoryFormat::ChannelsLast));
    }
    return net;
  }
  std::string known;
  for (const auto& info : model_registry()) known += (known.empty() ? "" : ", ") + info.name;
  throw std::invalid_argument(where + ".arch: unknown model '" + c.arch + "' (known: " + known +
                              ")");
}

}  // namespace tnn
