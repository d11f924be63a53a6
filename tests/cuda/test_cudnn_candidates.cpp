// The order in which the cuDNN conv baseline tries algorithms (cudnn_candidates.hpp), on the host.
#include "cudnn_candidates.hpp"

#include <catch2/catch.hpp>

namespace bl = tnn::kernels::cuda::baselines;

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
