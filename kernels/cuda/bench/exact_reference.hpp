// The benchmark's reference: plain kernels over the dense FP32 expansion of the ternary weights,
// summing in double. With the benchmark's inputs (multiples of 1/64, power-of-two scales) every
// sum is exact, so this is the exact answer, whatever cuBLAS or cuDNN choose to do. It runs on
// the benchmark's stream like everything else.
#pragma once

#include "tnn/kernels/cuda.hpp"

#include <cuda_runtime_api.h>

namespace tnn::bench::gpu {

// y[m][n] = sum_k x[m][k] * w[n][k]; x m x k, w n x k (row-major), y m x n.
void reference_gemm(const float* x, const float* w, float* y, int m, int n, int k, cudaStream_t s);
// NHWC x, OHWI w (k x 9c), padding 1: the contract of kernels::cuda::conv3x3.
void reference_conv3x3(const float* x, const float* w, float* y,
                       const kernels::cuda::Conv3x3Shape& sh, cudaStream_t s);

}  // namespace tnn::bench::gpu
