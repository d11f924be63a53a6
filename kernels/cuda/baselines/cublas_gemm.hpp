// cuBLAS dense baselines for the ternary GEMV/GEMM: Y[M][N] = X[M][K] W^T with W a dense N x K
// row-major matrix. Three modes, reported under separate names:
//   f32  FP32 in/out, CUBLAS_COMPUTE_32F + CUBLAS_DEFAULT_MATH: TF32 pinned off
//   tf32 FP32 in/out, CUBLAS_COMPUTE_32F_FAST_TF32 (tensor cores, ~10-bit mantissa products)
//   f16  FP16 in/out, FP32 accumulation (CUBLAS_COMPUTE_32F; tensor cores)
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <string>

namespace tnn::kernels::cuda::baselines {

enum class CublasMode { f32, tf32, f16 };
const char* to_string(CublasMode m);  // "f32", "tf32", "f16"

class CublasGemm {
 public:
  CublasGemm(CublasMode mode, cudaStream_t stream);
  ~CublasGemm();
  CublasGemm(const CublasGemm&) = delete;
  CublasGemm& operator=(const CublasGemm&) = delete;

  // Device pointers; element type float (f32, tf32) or __half (f16).
  void run(const void* w, const void* x, void* y, int m, int n, int k);
  // What the JSON records: compute type and math mode.
  std::string math() const;
  static std::string version();  // of the loaded library, e.g. "13.1.0"

 private:
  cublasHandle_t handle_ = nullptr;
  CublasMode mode_;
};

}  // namespace tnn::kernels::cuda::baselines
