// One conv layer per implementation behind a common interface, with the activation layout each
// implementation runs natively (the single-layer and the stacked benchmarks share them).
//   ref          NHWC float        onednn_f32  NHWC float (brgconv)   onednn_s8  NHWC u8
//   ternary_f32  planar float      ternary_s8  padded NHWC u8
// ReLU is fused in every implementation; int8 outputs are requantized u8.
#pragma once

#include "tnn/kernels/types.hpp"

#include <cstdint>
#include <memory>
#include <random>
#include <string>

namespace tnn::kernels::bench {

class ConvRunner {
 public:
  virtual ~ConvRunner() = default;
  virtual size_t input_bytes() const = 0;
  virtual size_t output_bytes() const = 0;
  // Writes random activations (and the layout's borders) into an input buffer.
  virtual void fill_input(void* buf, std::mt19937& rng) const = 0;
  // Prepares an output buffer once (borders hold the zero point for padded u8).
  virtual void init_output(void* buf) const = 0;
  virtual void run(const void* in, void* out) = 0;
  double weight_bytes = 0;  // what the kernel reads as weights per call
  std::string label;        // e.g. oneDNN's implementation name
};

// Weights: ternary codes (zero fraction `zeros`) with per-channel scales; the dense baselines
// run the same weights expanded (f32) or as s8 codes (int8).
std::unique_ptr<ConvRunner> make_conv_runner(const std::string& impl, const ConvShape& s,
                                             const TernaryWeights& w);
TernaryWeights random_conv_weights(const ConvShape& s, double zeros, uint32_t seed);
bool impl_available(const std::string& impl);

}  // namespace tnn::kernels::bench
