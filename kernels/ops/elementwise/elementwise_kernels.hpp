// Internal: the engine's elementwise helpers per ISA (files elementwise_<isa>.cpp, compiled
// with their ISA's flags) and the factories that register them (elementwise.cpp).
#pragma once

#include "../views.hpp"
#include "tnn/kernels/ops.hpp"

namespace tnn::kernels::cpu {

// y = requant(relu?(sa*(a - za) + sb*(b - zb))) over u8 codes, in exactly this float order.
struct AddU8Params {
  float sa, sb, inv_out;
  int32_t za, zb, zout;
  bool relu;
};

// One ISA's helpers, count elements, contiguous (the family's kernel threads them in chunks).
struct ElementwiseFns {
  void (*add_f32)(const float* a, const float* b, float* y, int64_t count, bool relu);
  void (*add_u8)(const uint8_t* a, const uint8_t* b, uint8_t* y, int64_t count,
                 const AddU8Params& p);
  void (*quantize_u8)(const float* x, uint8_t* q, int64_t count, float inv_scale, int32_t zp);
};
extern const ElementwiseFns kElementwiseScalar;
extern const ElementwiseFns kElementwiseAvx2;
extern const ElementwiseFns kElementwiseAvx512;

}  // namespace tnn::kernels::cpu

namespace tnn::kernels::ops {

Impl ref_elementwise_impl(Op op);
Impl simd_elementwise_impl(Op op, const char* isa, const cpu::ElementwiseFns& fns);

}  // namespace tnn::kernels::ops
