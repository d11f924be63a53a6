// LibTorch network -> packed .tnn model: ternary codes and scales from each layer's ternarizer
// (the same decomposition training used), OHWI weight order, BatchNorm folded into an affine.
#include "tnn/pack.hpp"

namespace tnn {

namespace {
std::vector<float> to_vector(const torch::Tensor& t) {
  auto c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}
// [K][C][kh][kw] -> [K][kh][kw][C] (OHWI) as a [rows][cols] matrix; linear weights unchanged.
torch::Tensor to_ohwi(const torch::Tensor& w) {
  auto t = w.dim() == 4 ? w.permute({0, 2, 3, 1}) : w;
  return t.contiguous().reshape({w.size(0), -1});
}
}  // namespace

kernels::LayerWeights packed_weights(const torch::Tensor& weight, Ternarizer& q) {
  torch::NoGradGuard ng;
  kernels::LayerWeights lw;
  // Decomposed where the layer lives (its ternarizer's own parameters are on the same device,
  // e.g. while training on a GPU); the codes and scales are then copied to the CPU.
  auto w = weight.detach();
  if (q.terms() == 0) {
    lw.ternary = false;
    lw.dense = to_vector(to_ohwi(w));
    return lw;
  }
  auto terms = q.decompose(w);
  const int64_t rows = w.size(0), cols = w.numel() / rows;
  std::vector<std::vector<int8_t>> codes;
  std::vector<std::vector<float>> pos, neg;
  for (const auto& t : terms) {
    auto c = to_ohwi(t.codes.to(torch::kCPU)).to(torch::kInt8).contiguous();
    codes.emplace_back(c.data_ptr<int8_t>(), c.data_ptr<int8_t>() + c.numel());
    pos.push_back(to_vector(t.scale_pos));
    neg.push_back(to_vector(t.scale_neg));
  }
  lw.ternary = true;
  lw.tern = kernels::make_ternary(rows, cols, codes, pos, neg);
  return lw;
}

std::pair<std::vector<float>, std::vector<float>> fold_batchnorm(torch::nn::BatchNorm2d& bn) {
  torch::NoGradGuard ng;
  const double eps = bn->options.eps();
  auto inv = (bn->running_var.to(torch::kDouble) + eps).rsqrt();
  auto mul = bn->weight.to(torch::kDouble) * inv;
  auto add = bn->bias.to(torch::kDouble) - bn->running_mean.to(torch::kDouble) * mul;
  return {to_vector(mul), to_vector(add)};
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
  const torch::Tensor bias =
      (fc->bias.detach() * double(fc->quantizer->bias_multiplier())).to(torch::kFloat).contiguous();
  return kernels::make_linear(
      name, input, output, fc->weight.size(0), packed_weights(fc->weight, *fc->quantizer),
      std::vector<float>(bias.data_ptr<float>(), bias.data_ptr<float>() + bias.numel()));
}

kernels::Model pack_network(Network& net, const nlohmann::json& metadata) {
  net.eval();
  kernels::Model m = net.to_packed();
  m.metadata = metadata;
  kernels::infer_shapes(m);  // validates the graph
  return m;
}

}  // namespace tnn
