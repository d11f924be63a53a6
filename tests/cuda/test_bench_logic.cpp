// The benchmark's host-side logic: its verdicts (kernels/cuda/bench/check_result.cpp) and the
// order in which the cuDNN conv baseline tries algorithms (baselines/cudnn_candidates.hpp), and
// the summary that sets the exit status (report.cpp).
// Our kernels must be bit-exact (after one FP16 rounding for FP16 outputs); a baseline's
// difference is judged against its math mode's bound and never counts as a failure of ours.
#include "check_result.hpp"
#include "cudnn_candidates.hpp"
#include "report.hpp"

#include <cuda_fp16.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

namespace g = tnn::bench::gpu;
namespace bl = tnn::kernels::cuda::baselines;
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

namespace {
constexpr auto kPrecomp = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
constexpr auto kWinograd = CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED;
constexpr auto kGemm = CUDNN_CONVOLUTION_FWD_ALGO_GEMM;
}  // namespace

TEST_CASE("cuDNN f32 candidates: FMA math only, FMA-ranked first, every algorithm", "[cuda-host]") {
  const std::vector<bl::CudnnRanked> ranked = {
      {kWinograd, CUDNN_STATUS_SUCCESS, CUDNN_DEFAULT_MATH},
      {kGemm, CUDNN_STATUS_NOT_SUPPORTED, CUDNN_FMA_MATH},
      {kPrecomp, CUDNN_STATUS_SUCCESS, CUDNN_FMA_MATH}};
  const auto c = bl::cudnn_candidates(bl::CudnnMode::f32, ranked);
  REQUIRE(c.size() == bl::all_fwd_algos().size());  // each algorithm once
  for (const auto& x : c) CHECK(x.math == CUDNN_FMA_MATH);
  CHECK(c[0].algo == kPrecomp);   // ranked with FMA math
  CHECK(c[1].algo == kWinograd);  // ranked, forced to FMA math
  // The one ranked NOT_SUPPORTED still comes, among the rest, as a last resort.
  bool has_gemm = false;
  for (size_t i = 2; i < c.size(); ++i) has_gemm = has_gemm || c[i].algo == kGemm;
  CHECK(has_gemm);
}

TEST_CASE("cuDNN tf32/f16 candidates: ranked math first, then tensor-op math", "[cuda-host]") {
  const std::vector<bl::CudnnRanked> ranked = {
      {kWinograd, CUDNN_STATUS_SUCCESS, CUDNN_TENSOR_OP_MATH},
      {kPrecomp, CUDNN_STATUS_SUCCESS, CUDNN_DEFAULT_MATH},
      {kGemm, CUDNN_STATUS_NOT_SUPPORTED, CUDNN_TENSOR_OP_MATH}};
  for (auto mode : {bl::CudnnMode::tf32, bl::CudnnMode::f16}) {
    const auto c = bl::cudnn_candidates(mode, ranked);
    REQUIRE(c.size() >= 3);
    CHECK(c[0] == bl::CudnnCandidate{kWinograd, CUDNN_TENSOR_OP_MATH});
    CHECK(c[1] == bl::CudnnCandidate{kPrecomp, CUDNN_DEFAULT_MATH});
    CHECK(c[2] == bl::CudnnCandidate{kPrecomp, CUDNN_TENSOR_OP_MATH});  // first of the rest
    CHECK(c.size() == 1 + bl::all_fwd_algos().size());                  // no duplicates
  }
  // No ranked list at all (the query failed): every algorithm is still tried.
  CHECK(bl::cudnn_candidates(bl::CudnnMode::f16, {}).size() == bl::all_fwd_algos().size());
}

TEST_CASE("cuDNN candidates that sum products: no Winograd or FFT, order kept", "[cuda-host]") {
  const std::vector<bl::CudnnRanked> ranked = {{kWinograd, CUDNN_STATUS_SUCCESS, CUDNN_FMA_MATH},
                                               {kGemm, CUDNN_STATUS_SUCCESS, CUDNN_FMA_MATH},
                                               {kPrecomp, CUDNN_STATUS_SUCCESS, CUDNN_FMA_MATH}};
  const auto all = bl::cudnn_candidates(bl::CudnnMode::f32, ranked);
  const auto c = bl::only_summing_products(all);
  REQUIRE(c.size() == 4);  // GEMM, IMPLICIT_PRECOMP_GEMM, IMPLICIT_GEMM, DIRECT
  CHECK(c[0].algo == kGemm);
  CHECK(c[1].algo == kPrecomp);
  for (const auto& x : c) {
    CHECK(bl::sums_products(x.algo));
    CHECK(x.math == CUDNN_FMA_MATH);
  }
  CHECK_FALSE(bl::sums_products(CUDNN_CONVOLUTION_FWD_ALGO_FFT));
  CHECK_FALSE(bl::sums_products(CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD));
}

TEST_CASE("benchmark summary: what of ours fails the run, cold or warm", "[cuda-host]") {
  auto entry = [](const char* impl, const char* suffix, const char* check, bool error) {
    g::Entry e{"gemv", impl, "1x4096x4096", suffix, {}, 0, 0, nlohmann::json::object()};
    if (error)
      e.extra["error_occurred"] = true;
    else if (check)
      e.extra["check"] = check;
    return e;
  };
  std::vector<g::Entry> entries = {
      entry("cuda_ternary", "cold", "exact", false), entry("cuda_ternary", "warm", nullptr, false),
      entry("cudnn_f32", "cold", nullptr, true), entry("cudnn_f32", "warm", nullptr, true)};
  auto s = g::check_summary(entries);
  CHECK(s["cuda_ternary"]["exact"] == 1);
  CHECK(s["cuda_ternary"]["warm_error"] == 0);
  CHECK(s["cudnn_f32"]["error"] == 1);
  CHECK(s["cudnn_f32"]["warm_error"] == 1);
  CHECK(g::count_failures_of_ours(s) == 0);  // a baseline's errors are recorded, not failures

  entries[1] = entry("cuda_ternary", "warm", nullptr, true);  // ours fails under graph capture
  s = g::check_summary(entries);
  CHECK(s["cuda_ternary"]["exact"] == 1);
  CHECK(s["cuda_ternary"]["warm_error"] == 1);
  CHECK(g::count_failures_of_ours(s) == 1);

  entries.push_back(entry("cuda_ternary_s8", "cold", "MISMATCH", false));
  CHECK(g::count_failures_of_ours(g::check_summary(entries)) == 2);
}
