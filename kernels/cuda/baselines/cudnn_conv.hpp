// cuDNN dense baseline for the ternary 3x3 convolution: NHWC input and output, KRSC (= OHWI)
// filter, padding 1, stride 1 or 2. The algorithm comes from cuDNN's heuristics
// (cudnnGetConvolutionForwardAlgorithm_v7) or, when `exhaustive`, from timing every algorithm
// (cudnnFindConvolutionForwardAlgorithm); its workspace is allocated once and reported.
// Modes, reported under separate names:
//   f32  FP32, CUDNN_FMA_MATH: no tensor cores, no TF32 (a true FP32 baseline)
//   tf32 FP32 data, CUDNN_TENSOR_OP_MATH: TF32 tensor cores allowed
//   f16  FP16 data, FP32 accumulation, CUDNN_TENSOR_OP_MATH
// This is cuDNN's legacy (v7-style) API, still in cuDNN 9 and deprecated there (headers warn
// only with CUDNN_WARN_DEPRECATED); the graph API needs cudnn-frontend, which is not installed.
#pragma once

#include "tnn/kernels/cuda.hpp"

#include <cudnn.h>

#include <string>

namespace tnn::kernels::cuda::baselines {

enum class CudnnMode { f32, tf32, f16 };
const char* to_string(CudnnMode m);

class CudnnConv3x3 {
 public:
  CudnnConv3x3(CudnnMode mode, const Conv3x3Shape& s, cudaStream_t stream, bool exhaustive = false);
  ~CudnnConv3x3();
  CudnnConv3x3(const CudnnConv3x3&) = delete;
  CudnnConv3x3& operator=(const CudnnConv3x3&) = delete;

  // Device pointers; element type float (f32, tf32) or __half (f16).
  void run(const void* x, const void* w, void* y);
  std::string algo() const;  // e.g. "IMPLICIT_PRECOMP_GEMM"
  std::string math() const;  // the math type the chosen algorithm runs with
  size_t workspace_bytes() const { return ws_bytes_; }
  static std::string version();  // of the loaded library

 private:
  CudnnMode mode_;
  cudnnHandle_t handle_ = nullptr;
  cudnnTensorDescriptor_t xd_ = nullptr, yd_ = nullptr;
  cudnnFilterDescriptor_t wd_ = nullptr;
  cudnnConvolutionDescriptor_t cd_ = nullptr;
  cudnnConvolutionFwdAlgo_t algo_{};
  cudnnMathType_t math_{};
  void* ws_ = nullptr;
  size_t ws_bytes_ = 0;
};

}  // namespace tnn::kernels::cuda::baselines
