// Shapes and weight containers shared by every kernel family (reference, CPU SIMD, oneDNN,
// engine). Activations are NHWC unless a function says otherwise; weights are OHWI, i.e. a
// matrix with rows = output channels and cols = kh*kw*C, which is also the 2-bit packing order.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tnn::kernels {

// A 2-D convolution over NHWC activations. oh()/ow() follow the usual floor formula.
struct ConvShape {
  int64_t n = 1, h = 0, w = 0, c = 0;  // input batch, height, width, channels
  int64_t k = 0;                       // output channels
  int64_t kh = 3, kw = 3, stride = 1, pad = 1;

  // 0 when the kernel does not fit the padded input (validate() rejects that shape).
  int64_t oh() const { return h + 2 * pad < kh ? 0 : (h + 2 * pad - kh) / stride + 1; }
  int64_t ow() const { return w + 2 * pad < kw ? 0 : (w + 2 * pad - kw) / stride + 1; }
  int64_t patch() const { return kh * kw * c; }  // weight columns per output channel
  int64_t macs() const { return n * oh() * ow() * k * patch(); }
  std::string str() const;  // "C16-K32-H32-W32-k3-s2-p1-n1", used in names and errors
  void validate() const;    // throws std::invalid_argument on a degenerate shape
};

// One ternary term: codes in {-1,0,+1} packed 2 bits each (pack.hpp layout, rows x cols) and
// the values a +1 / -1 code stands for. scale_pos/scale_neg hold 1 value (per layer) or `rows`
// values (per output channel); they differ only for TTQ-style asymmetric quantizers.
struct TernaryTerm {
  std::vector<uint8_t> codes;
  std::vector<float> scale_pos, scale_neg;
};

// W = sum over terms of term_t (residual expansion uses 2..4 terms).
struct TernaryWeights {
  int64_t rows = 0, cols = 0;
  std::vector<TernaryTerm> terms;

  float pos(size_t t, int64_t r) const {
    const auto& s = terms[t].scale_pos;
    return s.size() == 1 ? s[0] : s[size_t(r)];
  }
  float neg(size_t t, int64_t r) const {
    const auto& s = terms[t].scale_neg;
    return s.size() == 1 ? s[0] : s[size_t(r)];
  }
  bool symmetric() const;  // scale_pos == scale_neg for every term and row
  void validate() const;   // sizes of codes and scales; throws std::invalid_argument
  // Effective dense weight (rows x cols) = sum_t codes_t * scale: what onednn_f32 runs.
  std::vector<float> dense() const;
  // Zero fractions (first term / all terms): tnn/kernels/measures.hpp.
};

// Builds a TernaryWeights from unpacked codes (one int8 matrix per term) and scales.
TernaryWeights make_ternary(int64_t rows, int64_t cols,
                            const std::vector<std::vector<int8_t>>& codes,
                            const std::vector<std::vector<float>>& scale_pos,
                            const std::vector<std::vector<float>>& scale_neg);

// Per-output-channel affine y = mul*x + add (folded BatchNorm, bias) then optional ReLU.
// Empty vectors mean identity; otherwise they hold one value per output channel.
struct Epilogue {
  std::vector<float> mul, add;
  bool relu = false;
  // Convs: add a residual tensor (RunArgs::in2, in the kernel's output layout) after the affine
  // step and before ReLU: a ResNet block's add fused into its second conv. Only implementations
  // registered as fusing it accept such a problem.
  bool residual = false;
  void validate(int64_t channels) const;
};

// Affine quantization of an activation tensor: real = scale * (q - zero_point), q in 0..255.
// zero_point 0 suits non-negative tensors (after ReLU), 128 signed ones.
struct QuantParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

}  // namespace tnn::kernels
