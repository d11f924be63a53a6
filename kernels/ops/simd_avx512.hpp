// Internal: helpers shared by the AVX-512 kernels (included by *_avx512.cpp only, which are
// compiled with -mavx512f/bw/vl/dq/vnni/vbmi -mbmi2).
#pragma once

#include "views.hpp"

#include <immintrin.h>

namespace tnn::kernels::cpu {
namespace {

inline __m512 finish(const EpilogueView& ep, int64_t row0, __m512 v) {
  v = _mm512_fmadd_ps(v, _mm512_loadu_ps(ep.mul + row0), _mm512_loadu_ps(ep.add + row0));
  return ep.relu ? _mm512_max_ps(v, _mm512_setzero_ps()) : v;
}

inline __mmask16 first_lanes(int64_t count) {
  return count >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << count) - 1);
}

}  // namespace
}  // namespace tnn::kernels::cpu
