// The loops of the "peak" suite (bench_peak.cpp): FP32 FMA and int8 VNNI throughput on zmm
// registers (16 independent chains, operands the compiler cannot fold) and an AVX-512 read
// sweep. Compiled with AVX-512 flags; plain C++ types only, so no STL code built with AVX-512
// can end up in the rest of the program.
#include "bench_peak.hpp"

#include <immintrin.h>

// GCC 12 false positive on its own AVX-512 intrinsics (see ops/simd_avx512.hpp).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace tnn::kernels::bench {

double peak_fma_loop(float seed) {
  volatile float v = seed;
  const __m512 a = _mm512_set1_ps(1.0f + v * 1e-9f), b = _mm512_set1_ps(v * 0.5f);  // no overflow
  __m512 acc[kPeakChains];
  for (int i = 0; i < kPeakChains; ++i) acc[i] = _mm512_set1_ps(v + float(i));
  for (int64_t s = 0; s < kPeakSteps; ++s)
    for (int i = 0; i < kPeakChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  __m512 sum = acc[0];
  for (int i = 1; i < kPeakChains; ++i) sum = _mm512_add_ps(sum, acc[i]);
  return double(_mm512_reduce_add_ps(sum));
}

int64_t peak_vnni_loop(int seed) {
  volatile int v = seed;
  const __m512i a = _mm512_set1_epi32(v), b = _mm512_set1_epi32(v + 1);
  __m512i acc[kPeakChains];
  for (int i = 0; i < kPeakChains; ++i) acc[i] = _mm512_set1_epi32(i);
  for (int64_t s = 0; s < kPeakSteps; ++s)
    for (int i = 0; i < kPeakChains; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
  __m512i sum = acc[0];
  for (int i = 1; i < kPeakChains; ++i) sum = _mm512_add_epi32(sum, acc[i]);
  return _mm512_reduce_add_epi32(sum);
}

double peak_read_sum(const float* p, int64_t n) {
  __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
                   _mm512_setzero_ps()};
  for (int64_t i = 0; i + 64 <= n; i += 64)
    for (int j = 0; j < 4; ++j) acc[j] = _mm512_add_ps(acc[j], _mm512_load_ps(p + i + 16 * j));
  return double(_mm512_reduce_add_ps(
      _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3]))));
}

}  // namespace tnn::kernels::bench
