// LibTorch network -> packed .tnn model: ternary codes and scales from each layer's ternarizer
// (the same decomposition training used), OHWI weight order, BatchNorm folded into an affine.
#include "tnn/pack.hpp"

namespace tnn {

namespace {
std::vector<float> to_vector(const torch::Tensor& t) {
  auto c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}
// [K][C][kh][kw] -> [K][kh][kw][C] (OHWI) as a [rows][cols] matrix. Linear weights unchanged,
// unless they read a [C][H][W] map flattened PyTorch's way: then their columns go to the
// engine's (h, w, c) order the same way.
torch::Tensor to_ohwi(const torch::Tensor& w, const std::vector<int64_t>& input_chw = {}) {
  auto t = w;
  if (!input_chw.empty()) t = w.reshape({w.size(0), input_chw[0], input_chw[1], input_chw[2]});
  if (t.dim() == 4) t = t.permute({0, 2, 3, 1});
  return t.contiguous().reshape({w.size(0), -1});
}
std::pair<std::vector<float>, std::vector<float>> fold(const torch::Tensor& mean,
                                                       const torch::Tensor& var,
                                                       const torch::Tensor& gamma,
                                                       const torch::Tensor& beta, double eps) {
  torch::NoGradGuard ng;
  auto mul = gamma.to(torch::kDouble) * (var.to(torch::kDouble) + eps).rsqrt();
  auto add = beta.to(torch::kDouble) - mean.to(torch::kDouble) * mul;
  return {to_vector(mul), to_vector(add)};
}
}  // namespace

kernels::LayerWeights packed_weights(const torch::Tensor& weight, Ternarizer& q,
                                     const std::vector<int64_t>& input_chw) {
  if (!input_chw.empty() && (weight.dim() != 2 || input_chw.size() != 3 ||
                             input_chw[0] * input_chw[1] * input_chw[2] != weight.size(1)))
    throw std::invalid_argument("packed_weights: a [C][H][W] input does not match the weights");
  torch::NoGradGuard ng;
  kernels::LayerWeights lw;
  // Decomposed where the layer lives (its ternarizer's own parameters are on the same device,
  // e.g. while training on a GPU); the codes and scales are then copied to the CPU.
  auto w = weight.detach();
  if (q.terms() == 0) {
    lw.ternary = false;
    lw.dense = to_vector(to_ohwi(w, input_chw));
    return lw;
  }
  auto terms = q.decompose(w);
  const int64_t rows = w.size(0), cols = w.numel() / rows;
  std::vector<std::vector<int8_t>> codes;
  std::vector<std::vector<float>> pos, neg;
  for (const auto& t : terms) {
    auto c = to_ohwi(t.codes.to(torch::kCPU), input_chw).to(torch::kInt8).contiguous();
    codes.emplace_back(c.data_ptr<int8_t>(), c.data_ptr<int8_t>() + c.numel());
    pos.push_back(to_vector(t.scale_pos));
    neg.push_back(to_vector(t.scale_neg));
  }
  lw.ternary = true;
  lw.tern = kernels::make_ternary(rows, cols, codes, pos, neg);
  return lw;
}

std::pair<std::vector<float>, std::vector<float>> fold_batchnorm(torch::nn::BatchNorm2d& bn) {
  return fold(bn->running_mean, bn->running_var, bn->weight, bn->bias, bn->options.eps());
}
std::pair<std::vector<float>, std::vector<float>> fold_batchnorm(torch::nn::BatchNorm1d& bn) {
  return fold(bn->running_mean, bn->running_var, bn->weight, bn->bias, bn->options.eps());
}

kernels::Node packed_conv(QConv2d& conv, torch::nn::BatchNorm2d& bn, const std::string& name,
                          const std::string& input, bool relu) {
  auto [mul, add] = fold_batchnorm(bn);
  return kernels::make_conv2d(name, input, name, conv->weight.size(0), conv->weight.size(2),
                              conv->stride, conv->padding,
                              packed_weights(conv->weight, *conv->quantizer), mul, add, relu);
}

kernels::Node packed_linear(QLinear& fc, const std::string& name, const std::string& input,
                            const std::string& output) {
  std::vector<float> bias;
  if (fc->bias.defined())
    bias = to_vector(fc->bias.detach() * double(fc->quantizer->bias_multiplier()));
  return kernels::make_linear(name, input, output, fc->weight.size(0),
                              packed_weights(fc->weight, *fc->quantizer), bias);
}

kernels::Node packed_linear_bn(QLinear& fc, torch::nn::BatchNorm1d& bn, const std::string& name,
                               const std::string& input, const std::vector<int64_t>& input_chw) {
  if (fc->bias.defined())
    throw std::invalid_argument("packed_linear_bn: " + name +
                                " has a bias (BN-AlexNet's have none)");
  auto [mul, add] = fold_batchnorm(bn);
  return kernels::make_linear(name, input, name, fc->weight.size(0),
                              packed_weights(fc->weight, *fc->quantizer, input_chw), {}, mul, add,
                              /*relu=*/true);
}

kernels::Model pack_network(Network& net, const nlohmann::json& metadata) {
  net.eval();
  kernels::Model m = net.to_packed();
  m.metadata = metadata;
  kernels::infer_shapes(m);  // validates the graph
  return m;
}

}  // namespace tnn
