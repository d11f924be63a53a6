#include "tnn/layers.hpp"

namespace tnn {

QConv2dImpl::QConv2dImpl(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride_,
                         int64_t padding_, bool with_bias, std::shared_ptr<Ternarizer> q)
    : quantizer(std::move(q)), stride(stride_), padding(padding_) {
  weight = register_parameter("weight", torch::empty({out_channels, in_channels, kernel, kernel}));
  if (with_bias) bias = register_parameter("bias", torch::zeros({out_channels}));
  register_module("quantizer", quantizer);
}

torch::Tensor QConv2dImpl::forward(const torch::Tensor& x) {
  return torch::conv2d(x, quantizer->forward(weight), bias, {stride, stride}, {padding, padding});
}

QLinearImpl::QLinearImpl(int64_t in_features, int64_t out_features, std::shared_ptr<Ternarizer> q,
                         bool with_bias)
    : quantizer(std::move(q)) {
  weight = register_parameter("weight", torch::empty({out_features, in_features}));
  if (with_bias) bias = register_parameter("bias", torch::zeros({out_features}));
  register_module("quantizer", quantizer);
}

torch::Tensor QLinearImpl::forward(const torch::Tensor& x) {
  int m = quantizer->bias_multiplier();
  return torch::linear(x, quantizer->forward(weight), m == 1 || !bias.defined() ? bias : bias * m);
}

}  // namespace tnn
