// The benchmark's verdicts (kernels/cuda/bench/check_result.cpp) on the host: our kernels must
// be bit-exact (after one FP16 rounding for FP16 outputs); a baseline's difference is judged
// against its math mode's bound and never counts as a failure of ours.
#include "check_result.hpp"

#include <cuda_fp16.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

namespace g = tnn::bench::gpu;

TEST_CASE("benchmark check: ours exact or MISMATCH", "[cuda-host]") {
  const std::vector<float> ref = {1.0f, -2.5f, 3.0f / 64, 100.0f};
  CHECK(g::compare_to_reference(ref, ref, false, "cuda_ternary").verdict == "exact");
  auto y = ref;
  y[1] += 1.0f / 256;  // one weight's worth of error on one output
  const auto c = g::compare_to_reference(y, ref, false, "cuda_ternary_s8");
  CHECK(c.verdict == "MISMATCH");
  CHECK(c.differing == 1);
  CHECK(c.max_abs_diff == Approx(1.0 / 256));
  CHECK(c.max_abs_ref == 100.0);
  y = ref;
  y[3] = std::numeric_limits<float>::quiet_NaN();  // an output nobody wrote (poisoned)
  const auto n = g::compare_to_reference(y, ref, false, "cuda_ternary");
  CHECK(n.verdict == "MISMATCH");
  CHECK(n.nan == 1);
}

TEST_CASE("benchmark check: FP16 outputs compare with the once-rounded reference", "[cuda-host]") {
  const std::vector<float> ref = {1.0f + 1.0f / 4096, 2049.0f, -0.1f};  // not FP16 numbers
  std::vector<float> y(ref.size());
  for (size_t i = 0; i < ref.size(); ++i) y[i] = __half2float(__float2half_rn(ref[i]));
  const auto c = g::compare_to_reference(y, ref, true, "cuda_ternary_f16");
  CHECK(c.verdict == "exact");
  CHECK(c.max_abs_diff == 0.0);
  CHECK(g::compare_to_reference(ref, ref, true, "cuda_ternary_f16").verdict == "MISMATCH");
}

TEST_CASE("benchmark check: baselines are judged by their math mode, never MISMATCH",
          "[cuda-host]") {
  CHECK(g::role_of("cuda_ternary_f16") == g::Role::ours);
  CHECK(g::role_of("cudnn_f32") == g::Role::baseline);
  CHECK(g::baseline_bound("cudnn_f32") == 1e-5);
  CHECK(g::baseline_bound("cudnn_tf32") == std::ldexp(1.0, -9));
  CHECK(g::baseline_bound("cublas_f16") == std::ldexp(1.0, -9));
  const std::vector<float> ref = {10.0f, -20.0f, 40.0f};
  auto y = ref;
  y[0] += 1e-3f;  // 2.5e-5 of max |ref|: inside the TF32 bound, outside the FP32 one
  CHECK(g::compare_to_reference(y, ref, false, "cudnn_tf32").verdict == "close");
  CHECK(g::compare_to_reference(y, ref, false, "cudnn_f32").verdict == "DIFFERS");
  CHECK(g::compare_to_reference(ref, ref, false, "cudnn_f32").verdict == "exact");
  y[0] = 11.0f;
  CHECK(g::compare_to_reference(y, ref, false, "cublas_tf32").verdict == "DIFFERS");
  CHECK_THROWS_AS(g::compare_to_reference({1.0f}, ref, false, "cudnn_f32"), std::invalid_argument);
}
