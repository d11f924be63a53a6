// Benchmark inputs made on the device (a 16384^2 FP32 matrix would take seconds on the host).
// Activations are multiples of 1/64 in [-1, 1] and scales powers of two: every implementation
// (FP32, TF32, FP16, int8 with x_scale 1/64, ternary) then computes the same exact FP32 sums,
// so the benchmark can check each result against the FP32 baseline at full size for free.
#pragma once

#include "tnn/kernels/cuda.hpp"

#include <cuda_fp16.h>
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace tnn::bench::gpu {

constexpr float kActScale = 1.0f / 64;  // x = q / 64, q in [-64, 64]

void fill_act(float* x, size_t n, uint32_t seed, cudaStream_t s);
void fill_act(__half* x, size_t n, uint32_t seed, cudaStream_t s);
void fill_act(int8_t* x, size_t n, uint32_t seed, cudaStream_t s);  // the q values

// Random tg16 codes (rows x ld_words words) with `zero_frac` zeros; padding stays weight 0.
void fill_tg16(uint32_t* words, int rows, int cols, int ld_words, float zero_frac, uint32_t seed,
               cudaStream_t s);
// Dense rows x cols expansion w[r][k] = code * scale(r) for the cuBLAS / cuDNN baselines.
void expand_tg16(const kernels::cuda::TernaryMatrix& w, float* dense, cudaStream_t s);
void expand_tg16(const kernels::cuda::TernaryMatrix& w, __half* dense, cudaStream_t s);

}  // namespace tnn::bench::gpu
