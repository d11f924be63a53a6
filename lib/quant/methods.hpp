// Internal: small helpers shared by the methods' files (the methods themselves are listed in
// registry.cpp).
#pragma once

#include "tnn/ternarize.hpp"

#include <string>
#include <vector>

namespace tnn::quant {

// Reads a string parameter that must be one of `choices`; throws naming `where`.
std::string param_choice(const nlohmann::json& params, const std::string& name,
                         const std::vector<std::string>& choices, const std::string& where);
// Reads a number parameter that must lie in [lo, hi]; throws naming `where`.
double param_number(const nlohmann::json& params, const std::string& name, double lo, double hi,
                    const std::string& where);

// Per-layer (shape [1]) or per-output-channel ([C]) reduction helpers. `keep` views a [C] tensor
// so it broadcasts against the weight ([C, 1, 1, 1] for a conv weight).
torch::Tensor broadcast_per_channel(const torch::Tensor& per_channel, const torch::Tensor& weight);

}  // namespace tnn::quant
