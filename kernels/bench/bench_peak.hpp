// Internal: the AVX-512 loops of the "peak" suite (bench_peak_avx512.cpp).
#pragma once

#include <cstdint>

namespace tnn::kernels::bench {

constexpr int kPeakChains = 16;          // independent accumulators per loop
constexpr int64_t kPeakSteps = 1 << 16;  // iterations over them per call

double peak_fma_loop(float seed);                 // kPeakChains * kPeakSteps zmm FMAs
int64_t peak_vnni_loop(int seed);                 // kPeakChains * kPeakSteps zmm vpdpbusd
double peak_read_sum(const float* p, int64_t n);  // sums n floats (64-byte aligned)

}  // namespace tnn::kernels::bench
