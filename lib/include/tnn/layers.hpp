// Quantized layers: a latent FP32 weight, a ternarizer that maps it to the effective weight in
// every forward pass, and the plain conv / linear op on top.
#pragma once

#include "tnn/ternarize.hpp"

#include <torch/torch.h>

namespace tnn {

class QConv2dImpl : public torch::nn::Module {
 public:
  QConv2dImpl(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride,
              int64_t padding, bool bias, std::shared_ptr<Ternarizer> quantizer);
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor weight;  // [out, in, k, k] (channels-last in memory when the model is)
  torch::Tensor bias;    // undefined when bias = false
  std::shared_ptr<Ternarizer> quantizer;
  int64_t stride, padding;
};
TORCH_MODULE(QConv2d);

class QLinearImpl : public torch::nn::Module {
 public:
  QLinearImpl(int64_t in_features, int64_t out_features, std::shared_ptr<Ternarizer> quantizer,
              bool bias = true);
  // y = x W_eff^T + m * b, m = quantizer->bias_multiplier() (the REL reference adds b per term).
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor weight;  // [out, in]
  torch::Tensor bias;    // [out]; undefined when bias = false (BN-AlexNet's FC6/FC7)
  std::shared_ptr<Ternarizer> quantizer;
};
TORCH_MODULE(QLinear);

}  // namespace tnn
