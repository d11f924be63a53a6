#include "tnn/kernels/quant.hpp"

#include <algorithm>
#include <cmath>

namespace tnn::kernels {

QuantParams choose_quant_params(float min_value, float max_value) {
  QuantParams qp;
  if (min_value >= 0.0f) {
    qp.zero_point = 0;
    qp.scale = max_value > 0.0f ? max_value / 255.0f : 1.0f;
  } else {
    qp.zero_point = 128;
    const float m = std::max(-min_value, max_value);
    qp.scale = m > 0.0f ? m / 127.0f : 1.0f;
  }
  return qp;
}

QuantParams choose_quant_params(const float* x, int64_t count) {
  float lo = 0.0f, hi = 0.0f;
  for (int64_t i = 0; i < count; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  return choose_quant_params(lo, hi);
}

uint8_t quantize_one(float x, const QuantParams& qp) {
  // x * (1/scale), as the SIMD epilogues compute it, so every path rounds the same way.
  const float q = std::nearbyint(x * (1.0f / qp.scale)) + float(qp.zero_point);
  return uint8_t(std::clamp(q, 0.0f, 255.0f));
}

void quantize(const float* x, int64_t count, const QuantParams& qp, uint8_t* q) {
  for (int64_t i = 0; i < count; ++i) q[i] = quantize_one(x[i], qp);
}

void dequantize(const uint8_t* q, int64_t count, const QuantParams& qp, float* x) {
  for (int64_t i = 0; i < count; ++i) x[i] = qp.scale * float(int32_t(q[i]) - qp.zero_point);
}

}  // namespace tnn::kernels
