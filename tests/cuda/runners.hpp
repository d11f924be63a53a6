// One check = one kernel call on fresh inputs, compared with the CPU reference. Exact mode
// (small integers, power-of-two scales) demands bit equality; real mode allows a rounding bound
// that scales with K and sum |x w|. Outputs are poisoned with NaN first, so an element the
// kernel never wrote fails either way.
#pragma once

#include "tnn/kernels/cuda.hpp"

#include <cstdint>

namespace tnn::test {

enum class Act { f32, f16, s8 };
const char* to_string(Act a);

struct GemmCase {
  int m = 1, n = 1, k = 1;
  bool per_channel = true;
  double zero_frac = 0.4;  // fraction of zero codes (plus every 5th row all zero)
  bool exact = true;       // small-integer inputs and power-of-two scales
  bool via_gemv = false;   // call gemv()/gemv_s8() directly instead of gemm() (m must be 1)
};

struct ConvCase {
  kernels::cuda::Conv3x3Shape shape;
  bool per_channel = true;
  double zero_frac = 0.4;
  bool exact = true;
};

// Both run the check and report through Catch2 (INFO + CHECK).
void check_gemm(Act act, const GemmCase& c, uint32_t seed);
void check_conv(Act act, const ConvCase& c, uint32_t seed);

}  // namespace tnn::test
