// Host-side error checks for CUDA runtime calls and kernel launches: throw, never exit, so a
// caller (test, benchmark, engine) decides what a failure means.
#pragma once

#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

namespace tnn::kernels::cuda {

inline void check_cuda(cudaError_t e, const char* what) {
  if (e != cudaSuccess)
    throw std::runtime_error(std::string(what) + ": " + cudaGetErrorName(e) + " (" +
                             cudaGetErrorString(e) + ")");
}

// After a <<<...>>> launch: catches bad configurations at once (faults show at the next sync).
inline void check_launch(const char* kernel) {
  check_cuda(cudaGetLastError(), kernel);
}

}  // namespace tnn::kernels::cuda
