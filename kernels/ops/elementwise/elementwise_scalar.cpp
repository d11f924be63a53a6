// Portable elementwise helpers of the engine: the definitions the SIMD versions match bit for bit.
#include "elementwise_kernels.hpp"

#include <algorithm>
#include <cmath>

namespace tnn::kernels::cpu {

namespace {

void add_f32_scalar(const float* a, const float* b, float* y, int64_t count, bool relu) {
  for (int64_t i = 0; i < count; ++i) {
    const float v = a[i] + b[i];
    y[i] = relu && v < 0.0f ? 0.0f : v;
  }
}

void add_u8_scalar(const uint8_t* a, const uint8_t* b, uint8_t* y, int64_t count,
                   const AddU8Params& p) {
  for (int64_t i = 0; i < count; ++i) {
    float v = p.sa * float(int32_t(a[i]) - p.za) + p.sb * float(int32_t(b[i]) - p.zb);
    if (p.relu && v < 0.0f) v = 0.0f;
    const float q = std::nearbyint(v * p.inv_out) + float(p.zout);
    y[i] = uint8_t(std::clamp(q, 0.0f, 255.0f));
  }
}

void quantize_u8_scalar(const float* x, uint8_t* q, int64_t count, float inv_scale, int32_t zp) {
  for (int64_t i = 0; i < count; ++i)
    q[i] = uint8_t(std::clamp(std::nearbyint(x[i] * inv_scale) + float(zp), 0.0f, 255.0f));
}

}  // namespace

const ElementwiseFns kElementwiseScalar = {add_f32_scalar, add_u8_scalar, quantize_u8_scalar};

}  // namespace tnn::kernels::cpu
