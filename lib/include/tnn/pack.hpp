// Storage accounting and packing of a trained model (the LibTorch side of the .tnn format).
#pragma once

#include "tnn/models.hpp"

#include "tnn/kernels/measures.hpp"
#include "tnn/kernels/model.hpp"

#include <nlohmann/json.hpp>

namespace tnn {

// ---- measures of a network, taken on its packed form (lib/pack/measures.cpp) ----

// Exact storage as packed: 2 bits per code per term plus FP32 scales, FP32 for full-precision
// layers; folded BN and biases as extra FP32. {"layers": [...], "weight_compression",
// "total_compression", "bits_per_weight", ...}
nlohmann::json footprint_report(Network& net);
// Per-layer zero fractions (first term, all terms, per term) and their MAC-weighted means over
// the ternary layers: "mac_weighted_zero_fraction_first_term" (the papers' sparsity) and
// "mac_weighted_zero_fraction_all_terms" (what zero-skipping kernels skip).
nlohmann::json sparsity_report(Network& net);
// A result.json's MAC-weighted zero fraction (null when not recorded or all-FP); understands
// results written before the measures had distinct names.
nlohmann::json mac_weighted_zeros(const nlohmann::json& result, kernels::ZeroCount which);

// ---- packing into the .tnn format (kernels/include/tnn/kernels/model.hpp) ----

// Weights of a conv [K][C][kh][kw] or linear [out][in] layer as the engine stores them (OHWI):
// the ternary terms (2-bit codes + scales) of its ternarizer, or dense FP32 for "fp" layers.
// A linear layer that reads a [C][H][W] map flattened by PyTorch gives `input_chw`: its columns
// are reordered to the engine's NHWC flattening (h, w, c).
kernels::LayerWeights packed_weights(const torch::Tensor& weight, Ternarizer& quantizer,
                                     const std::vector<int64_t>& input_chw = {});
// Eval-mode BatchNorm as a per-channel affine y = mul * x + add.
std::pair<std::vector<float>, std::vector<float>> fold_batchnorm(torch::nn::BatchNorm2d& bn);
std::pair<std::vector<float>, std::vector<float>> fold_batchnorm(torch::nn::BatchNorm1d& bn);

// A conv + BatchNorm (+ ReLU) as one conv2d node named `name` (its output tensor too), and a
// QLinear classifier with its bias (if any) as the network adds it (once per REL term when it
// does so): the nodes every model's to_packed() builds from.
kernels::Node packed_conv(QConv2d& conv, torch::nn::BatchNorm2d& bn, const std::string& name,
                          const std::string& input, bool relu);
kernels::Node packed_linear(QLinear& fc, const std::string& name, const std::string& input,
                            const std::string& output);
// A bias-free QLinear + BatchNorm1d + ReLU (BN-AlexNet's FC6 / FC7) as one linear node named
// `name`; `input_chw` when its input is a [C][H][W] map (see packed_weights).
kernels::Node packed_linear_bn(QLinear& fc, torch::nn::BatchNorm1d& bn, const std::string& name,
                               const std::string& input,
                               const std::vector<int64_t>& input_chw = {});

// The whole network as a packed model (the model's own to_packed()), with `metadata` attached.
kernels::Model pack_network(Network& net, const nlohmann::json& metadata);

}  // namespace tnn
