// Storage accounting and packing of a trained model (the LibTorch side of the .tnn format).
#pragma once

#include "tnn/models.hpp"

#include <nlohmann/json.hpp>
#include "tnn/kernels/footprint.hpp"

namespace tnn {

// Exact per-layer footprint of `net` as it would be packed: 2 bits per code per term plus FP32
// scales (one per layer or per output channel, two when +/- levels differ), FP32 for
// full-precision layers; BN (folded: scale + shift per channel) and biases as extra FP32.
std::vector<kernels::LayerFootprint> model_footprint(Network& net);
// {"layers": [...], "weight_compression", "total_compression", "bits_per_weight", ...}
nlohmann::json footprint_report(Network& net);

}  // namespace tnn
