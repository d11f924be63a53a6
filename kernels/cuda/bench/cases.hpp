// The benchmark cases: each sets up one shape's inputs once, computes the FP32 baseline's
// result as the reference, then times every implementation on the same data.
#pragma once

#include "device_buffer.hpp"
#include "runner.hpp"
#include "shapes.hpp"

namespace tnn::bench::gpu {

// op "gemv" (m = 1) or "gemm". Impls: cublas_f32, cublas_tf32, cublas_f16, cuda_ternary (FP32
// activations), cuda_ternary_f16, cuda_ternary_s8.
void run_gemm_case(Runner& r, const std::string& op, const GemmShape& s, float zero_frac);
// Impls: cudnn_f32, cudnn_tf32, cudnn_f16, cuda_ternary, cuda_ternary_f16, cuda_ternary_s8.
void run_conv_case(Runner& r, const ConvLayer& l, float zero_frac);

// Device copy of a tg16 matrix with power-of-two per-channel scales (random, fixed seed).
struct BenchWeights {
  kernels::cuda::DeviceBuffer<uint32_t> words;
  kernels::cuda::DeviceBuffer<float> scales;
  kernels::cuda::TernaryMatrix view;
  BenchWeights(int rows, int cols, float zero_frac, uint32_t seed, cudaStream_t s);
  double bytes() const { return double(words.bytes() + scales.bytes()); }
};

}  // namespace tnn::bench::gpu
