#include "cublas_gemm.hpp"

#include <stdexcept>
#include <string>

namespace tnn::kernels::cuda::baselines {

namespace {
void check(cublasStatus_t s, const char* what) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string(what) + ": " + cublasGetStatusName(s));
}
}  // namespace

const char* to_string(CublasMode m) {
  switch (m) {
    case CublasMode::f32:
      return "f32";
    case CublasMode::tf32:
      return "tf32";
    case CublasMode::f16:
      return "f16";
  }
  return "?";
}

CublasGemm::CublasGemm(CublasMode mode, cudaStream_t stream) : mode_(mode) {
  check(cublasCreate(&handle_), "cublasCreate");
  check(cublasSetStream(handle_, stream), "cublasSetStream");
  check(cublasSetMathMode(
            handle_, mode == CublasMode::tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
        "cublasSetMathMode");
}

CublasGemm::~CublasGemm() {
  if (handle_) cublasDestroy(handle_);
}

void CublasGemm::run(const void* w, const void* x, void* y, int m, int n, int k) {
  // Column-major view: Y^T (n x m) = W (row-major n x k = col-major k x n, transposed) * X^T.
  const float one = 1.0f, zero = 0.0f;
  const cudaDataType_t t = mode_ == CublasMode::f16 ? CUDA_R_16F : CUDA_R_32F;
  const cublasComputeType_t c =
      mode_ == CublasMode::tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  check(cublasGemmEx(handle_, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &one, w, t, k, x, t, k, &zero, y,
                     t, n, c, CUBLAS_GEMM_DEFAULT),
        "cublasGemmEx");
}

std::string CublasGemm::math() const {
  switch (mode_) {
    case CublasMode::f32:
      return "CUBLAS_COMPUTE_32F, CUBLAS_DEFAULT_MATH (no TF32)";
    case CublasMode::tf32:
      return "CUBLAS_COMPUTE_32F_FAST_TF32, CUBLAS_TF32_TENSOR_OP_MATH";
    case CublasMode::f16:
      return "CUDA_R_16F in/out, CUBLAS_COMPUTE_32F";
  }
  return "?";
}

std::string CublasGemm::version() {
  int major = 0, minor = 0, patch = 0;  // needs no device, unlike cublasGetVersion
  cublasGetProperty(MAJOR_VERSION, &major);
  cublasGetProperty(MINOR_VERSION, &minor);
  cublasGetProperty(PATCH_LEVEL, &patch);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

}  // namespace tnn::kernels::cuda::baselines
