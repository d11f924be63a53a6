// Exact storage accounting of a (partly) ternary model: bits per weight including the scales,
// per layer and for the whole model, against FP32.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tnn::kernels {

struct LayerFootprint {
  std::string name;
  int64_t weights = 0;  // number of weights of the layer
  int terms = 0;        // ternary terms (0 = the layer stays FP32)
  int64_t scales =
      0;  // FP32 scale values per term (1 per layer, C_out per channel, x2 if +/- differ)
  int64_t extra_fp32 =
      0;  // other FP32 values kept for this layer (bias, BN) -- reported separately

  int64_t weight_bits() const {
    return terms == 0 ? 32 * weights : int64_t{2} * terms * weights + int64_t{32} * terms * scales;
  }
  double bits_per_weight() const {
    return weights == 0 ? 0.0 : double(weight_bits()) / double(weights);
  }
  double compression() const {
    return weight_bits() == 0 ? 0.0 : 32.0 * double(weights) / double(weight_bits());
  }
};

struct ModelFootprint {
  int64_t weights = 0, weight_bits = 0, extra_fp32 = 0;
  // Weights only (conv/FC kernels incl. their scales): the papers' "16X" figure.
  double weight_compression() const {
    return weight_bits == 0 ? 0.0 : 32.0 * double(weights) / double(weight_bits);
  }
  // Everything stored, with BN and biases as FP32.
  double total_compression() const {
    int64_t bits = weight_bits + 32 * extra_fp32;
    return bits == 0 ? 0.0 : 32.0 * double(weights + extra_fp32) / double(bits);
  }
  double bits_per_weight() const {
    return weights == 0 ? 0.0 : double(weight_bits) / double(weights);
  }
};

// Computed by layer_footprint / sum_footprints / model_footprint (measures.hpp).

}  // namespace tnn::kernels
