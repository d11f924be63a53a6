// cuDNN dense baseline for the ternary 3x3 convolution: NHWC input and output, KRSC (= OHWI)
// filter, padding 1, stride 1 or 2. Algorithm choice: cuDNN's ranked list (heuristics,
// cudnnGetConvolutionForwardAlgorithm_v7, or when `exhaustive`
// cudnnFindConvolutionForwardAlgorithm) gives the candidates (cudnn_candidates.hpp); each is tried
// until its workspace query, the workspace allocation and one trial run on the caller's buffers
// succeed (with `summing_only`, only the algorithms that sum products: no Winograd or FFT). What
// was tried and why it was rejected is kept (attempts()), and the constructor throws with that log
// when nothing works. The workspace is allocated once and reported. Modes, reported under separate
// names:
//   f32  FP32, CUDNN_FMA_MATH: no tensor cores, no TF32 (a true FP32 baseline)
//   tf32 FP32 data, tensor-op math as cuDNN ranks it: TF32 tensor cores allowed
//   f16  FP16 data, FP32 accumulation, tensor-op math
// This is cuDNN's legacy (v7-style) API, still in cuDNN 9 and deprecated there (headers warn
// only with CUDNN_WARN_DEPRECATED); the graph API needs cudnn-frontend, which is not installed.
#pragma once

#include "cudnn_candidates.hpp"
#include "tnn/kernels/cuda.hpp"

#include <cudnn.h>

#include <string>

namespace tnn::kernels::cuda::baselines {

const char* to_string(CudnnMode m);

// Device buffers of the right size and type for the trial run (their contents are overwritten
// in y only).
struct CudnnTrialBuffers {
  const void* x = nullptr;
  const void* w = nullptr;
  void* y = nullptr;
};

class CudnnConv3x3 {
 public:
  CudnnConv3x3(CudnnMode mode, const Conv3x3Shape& s, cudaStream_t stream,
               const CudnnTrialBuffers& trial, bool exhaustive = false, bool summing_only = false);
  ~CudnnConv3x3();
  CudnnConv3x3(const CudnnConv3x3&) = delete;
  CudnnConv3x3& operator=(const CudnnConv3x3&) = delete;

  // Device pointers; element type float (f32, tf32) or __half (f16).
  void run(const void* x, const void* w, void* y);
  std::string algo() const;  // e.g. "IMPLICIT_PRECOMP_GEMM"
  std::string math() const;  // the math type the chosen algorithm runs with
  size_t workspace_bytes() const { return ws_bytes_; }
  // The candidates tried before the chosen one and why each was rejected ("" if the first won).
  const std::string& attempts() const { return attempts_; }
  static std::string version();  // of the loaded library

 private:
  void setup(const Conv3x3Shape& s, const CudnnTrialBuffers& trial, bool exhaustive,
             bool summing_only);
  bool try_candidate(const CudnnCandidate& c, const CudnnTrialBuffers& trial, std::string& why);
  void release();
  CudnnMode mode_;
  cudaStream_t stream_;
  cudnnHandle_t handle_ = nullptr;
  cudnnTensorDescriptor_t xd_ = nullptr, yd_ = nullptr;
  cudnnFilterDescriptor_t wd_ = nullptr;
  cudnnConvolutionDescriptor_t cd_ = nullptr;
  cudnnConvolutionFwdAlgo_t algo_{};
  cudnnMathType_t math_{};
  void* ws_ = nullptr;
  size_t ws_bytes_ = 0;
  std::string attempts_;
};

}  // namespace tnn::kernels::cuda::baselines
