// The WACV'19 reference code's weight init, shared by its models (CIFAR ResNets, BN-AlexNet).
#include "nn_internal.hpp"

#include <cmath>

namespace tnn::nn {

void init_reference_he(const std::vector<QuantLayer>& layers) {
  torch::NoGradGuard ng;
  for (const auto& l : layers) {
    if (l.is_conv) {
      const double n = double(l.weight.size(2) * l.weight.size(3) * l.weight.size(0));
      auto w = l.weight;  // a handle: the parameter itself is filled
      w.normal_(0, std::sqrt(2.0 / n));
    } else {
      auto w = l.weight;
      torch::nn::init::kaiming_normal_(w);  // fan-in, gain sqrt(2)
    }
  }
}

}  // namespace tnn::nn
