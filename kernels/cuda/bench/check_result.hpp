// The benchmark's built-in check, kept free of CUDA calls so the host tests cover it. Every
// input is a multiple of 1/64 and every scale a power of two, so the exact result is an FP32
// number and the reference (a plain kernel that sums in double, exact_reference.cu) is exact:
//  - ours ("cuda_ternary*") must equal it bit for bit, after one FP16 rounding for FP16 outputs;
//    anything else is a MISMATCH and makes the benchmark fail;
//  - a baseline's difference is recorded, judged against what its math mode may lose ("close"
//    within the bound, "DIFFERS" past it), and never fails the run: a Winograd TF32 cuDNN result
//    is cuDNN's business, not a bug of ours.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tnn::bench::gpu {

enum class Role { ours, baseline };
Role role_of(const std::string& impl);  // "cuda_ternary*" = ours

// Relative bound (of max |ref|) that a baseline's math mode may lose: *_f32 1e-5 (FMA math;
// Winograd/FFT), *_tf32 2^-9 (10-bit mantissa inputs of a transform), *_f16 2^-9 (FP16 transform).
double baseline_bound(const std::string& impl);

struct CheckResult {
  std::string verdict;      // "exact", "close", "MISMATCH" (ours) or "DIFFERS" (baseline)
  double max_abs_diff = 0;  // against the expected value (ref, FP16-rounded when half_out)
  double max_abs_ref = 0;
  double max_rel_diff = 0;  // max_abs_diff / max_abs_ref
  size_t differing = 0;     // outputs that are not bit-equal to the expected value
  size_t nan = 0;           // NaN outputs (a poisoned element nobody wrote stays NaN)
};

// y: the implementation's output as float; ref: the exact reference. half_out: y was stored as
// FP16, so the expected value is ref rounded once to FP16.
CheckResult compare_to_reference(const std::vector<float>& y, const std::vector<float>& ref,
                                 bool half_out, const std::string& impl);

}  // namespace tnn::bench::gpu
