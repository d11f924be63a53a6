// test_ops: random and edge-case problems per op, with their inputs, in the manner of ggml's
// test-backend-ops and oneDNN's benchdnn.
//
// Two value modes:
//  * exact: small-integer activations (-8..8, or any u8), power-of-two scales and multipliers,
//    small-integer offsets: every FP32 sum is an exact integer times a power of two, so any
//    correct kernel matches the reference bit for bit in any summation order (benchdnn's trick).
//  * float: normal activations and arbitrary scales: a K-scaled bound (per case, `bound`) for
//    FP32 outputs, one quantization step for u8 outputs.
#pragma once

#include "tnn/kernels/ops.hpp"

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace tnn::kernels::test_ops {

struct Case {
  ops::Problem p;  // weights are attached by problem()
  bool exact = true;
  bool has_ternary = false;
  TernaryWeights tern;
  std::vector<float> dense;
  // Canonical NHWC inputs (the dtype of the op's operands).
  std::vector<float> x_f32, x2_f32;
  std::vector<uint8_t> x_u8, x2_u8;
  QuantParams call_q;  // gemm_w2a8 with dynamic quantization: the call's input params
  double bound = 0;    // float mode, FP32 outputs: largest allowed |got - want|
  std::string label;   // what kind of case (edge case name or "random")

  ops::Problem problem() const;
};

// `count` cases of `op` from `seed`: the op's edge cases first, then random ones.
std::vector<std::unique_ptr<Case>> make_cases(ops::Op op, int count, uint32_t seed);

}  // namespace tnn::kernels::test_ops
