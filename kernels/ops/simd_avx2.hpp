// Internal: helpers shared by the AVX2 kernels (included by *_avx2.cpp only, which are compiled
// with -mavx2 -mfma).
#pragma once

#include "views.hpp"

#include <immintrin.h>

namespace tnn::kernels::cpu {
namespace {

inline __m256 finish8(const EpilogueView& ep, int64_t row0, __m256 v) {
  v = _mm256_fmadd_ps(v, _mm256_loadu_ps(ep.mul + row0), _mm256_loadu_ps(ep.add + row0));
  return ep.relu ? _mm256_max_ps(v, _mm256_setzero_ps()) : v;
}

// The first min(count, 8) floats of src, zeros after (never reads past them).
inline __m256 load_first(const float* src, int64_t count) {
  if (count >= 8) return _mm256_loadu_ps(src);
  alignas(32) float tmp[8] = {};
  for (int64_t i = 0; i < count; ++i) tmp[i] = src[i];
  return _mm256_load_ps(tmp);
}

inline void store_first(float* dst, int64_t count, __m256 v) {
  if (count >= 8) {
    _mm256_storeu_ps(dst, v);
    return;
  }
  alignas(32) float tmp[8];
  _mm256_store_ps(tmp, v);
  for (int64_t i = 0; i < count; ++i) dst[i] = tmp[i];
}

}  // namespace
}  // namespace tnn::kernels::cpu
