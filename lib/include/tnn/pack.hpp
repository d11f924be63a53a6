// Storage accounting and packing of a trained model (the LibTorch side of the .tnn format).
#pragma once

#include "tnn/models.hpp"

#include "tnn/kernels/footprint.hpp"
#include "tnn/kernels/model.hpp"

#include <nlohmann/json.hpp>

namespace tnn {

// Exact per-layer footprint of `net` as it would be packed: 2 bits per code per term plus FP32
// scales (one per layer or per output channel, two when +/- levels differ), FP32 for
// full-precision layers; BN (folded: scale + shift per channel) and biases as extra FP32.
std::vector<kernels::LayerFootprint> model_footprint(Network& net);
// {"layers": [...], "weight_compression", "total_compression", "bits_per_weight", ...}
nlohmann::json footprint_report(Network& net);

// ---- packing into the .tnn format (kernels/include/tnn/kernels/model.hpp) ----

// Weights of a conv [K][C][kh][kw] or linear [out][in] layer as the engine stores them (OHWI):
// the ternary terms (2-bit codes + scales) of its ternarizer, or dense FP32 for "fp" layers.
kernels::LayerWeights packed_weights(const torch::Tensor& weight, Ternarizer& quantizer);
// Eval-mode BatchNorm as a per-channel affine y = mul * x + add.
std::pair<std::vector<float>, std::vector<float>> fold_batchnorm(torch::nn::BatchNorm2d& bn);

// The whole network as a packed model (the model's own to_packed()), with `metadata` attached.
kernels::Model pack_network(Network& net, const nlohmann::json& metadata);

}  // namespace tnn
