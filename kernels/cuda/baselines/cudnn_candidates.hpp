// Which cuDNN forward algorithms the conv baseline tries, in which order and with which math
// type: pure logic over cuDNN's ranked list (heuristics or cudnnFind), kept apart from the cuDNN
// calls so the host tests cover it. CudnnConv3x3 tries each candidate until the workspace query
// and one trial run succeed.
#pragma once

#include <cudnn.h>

#include <algorithm>
#include <vector>

namespace tnn::kernels::cuda::baselines {

enum class CudnnMode { f32, tf32, f16 };

struct CudnnRanked {  // one entry of cuDNN's ranked list
  cudnnConvolutionFwdAlgo_t algo;
  cudnnStatus_t status;
  cudnnMathType_t math;
};

struct CudnnCandidate {
  cudnnConvolutionFwdAlgo_t algo;
  cudnnMathType_t math;
  bool operator==(const CudnnCandidate& o) const { return algo == o.algo && math == o.math; }
};

// Every forward algorithm of the legacy API, in the order tried after the ranked ones.
inline const std::vector<cudnnConvolutionFwdAlgo_t>& all_fwd_algos() {
  static const std::vector<cudnnConvolutionFwdAlgo_t> algos = {
      CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM,
      CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
      CUDNN_CONVOLUTION_FWD_ALGO_GEMM,
      CUDNN_CONVOLUTION_FWD_ALGO_DIRECT,
      CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED,
      CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD,
      CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING,
      CUDNN_CONVOLUTION_FWD_ALGO_FFT};
  return algos;
}

// f32 is the true-FP32 baseline: every candidate runs with CUDNN_FMA_MATH (never TF32 or tensor
// cores), the ranked algorithms first (those cuDNN itself listed with FMA math ahead of the
// others), then every other algorithm. tf32 / f16: the ranked results with the math type cuDNN
// reported, then every algorithm with CUDNN_TENSOR_OP_MATH. Entries cuDNN ranked with a status
// other than success are left out; duplicates are dropped.
inline std::vector<CudnnCandidate> cudnn_candidates(CudnnMode mode,
                                                    const std::vector<CudnnRanked>& ranked) {
  std::vector<CudnnCandidate> out;
  const auto add = [&](cudnnConvolutionFwdAlgo_t a, cudnnMathType_t m) {
    const CudnnCandidate c{a, m};
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  if (mode == CudnnMode::f32) {
    for (const auto& r : ranked)
      if (r.status == CUDNN_STATUS_SUCCESS && r.math == CUDNN_FMA_MATH) add(r.algo, CUDNN_FMA_MATH);
    for (const auto& r : ranked)
      if (r.status == CUDNN_STATUS_SUCCESS) add(r.algo, CUDNN_FMA_MATH);
    for (auto a : all_fwd_algos()) add(a, CUDNN_FMA_MATH);
  } else {
    for (const auto& r : ranked)
      if (r.status == CUDNN_STATUS_SUCCESS) add(r.algo, r.math);
    for (auto a : all_fwd_algos()) add(a, CUDNN_TENSOR_OP_MATH);
  }
  return out;
}

// GEMM, implicit GEMM and direct algorithms form every product and add them up; the Winograd
// and FFT ones transform the operands, so their rounding is not that of any summation order.
// A check that wants exact results on exactly representable data (test_ops's exact mode) keeps
// only the former.
inline bool sums_products(cudnnConvolutionFwdAlgo_t a) {
  return a == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM ||
         a == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM ||
         a == CUDNN_CONVOLUTION_FWD_ALGO_GEMM || a == CUDNN_CONVOLUTION_FWD_ALGO_DIRECT;
}
inline std::vector<CudnnCandidate> only_summing_products(std::vector<CudnnCandidate> c) {
  c.erase(std::remove_if(c.begin(), c.end(),
                         [](const CudnnCandidate& x) { return !sums_products(x.algo); }),
          c.end());
  return c;
}

}  // namespace tnn::kernels::cuda::baselines
