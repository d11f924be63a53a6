// Per-tensor activation quantization to u8 with a zero point (real = scale * (q - zp)).
// q = round(x * (1/scale)) + zero_point: rounding to nearest, ties to even (what the SIMD cvtps
// instructions do by default), saturated to 0..255.
#pragma once

#include "tnn/kernels/types.hpp"

#include <cstdint>

namespace tnn::kernels {

// zero_point 0 with scale max/255 when min >= 0 (post-ReLU tensors: the full 8 bits of
// magnitude); otherwise zero_point 128 with scale max|x|/127. A zero range gives scale 1.
QuantParams choose_quant_params(float min_value, float max_value);
// Scans x for its range, then calls choose_quant_params.
QuantParams choose_quant_params(const float* x, int64_t count);

uint8_t quantize_one(float x, const QuantParams& qp);
void quantize(const float* x, int64_t count, const QuantParams& qp, uint8_t* q);
void dequantize(const uint8_t* q, int64_t count, const QuantParams& qp, float* x);

}  // namespace tnn::kernels
