// Internal: the scalar kernels' shared epilogue (included by *_scalar.cpp only).
#pragma once

#include "views.hpp"

#include <cmath>

namespace tnn::kernels::cpu {
namespace {

inline float finish(const EpilogueView& ep, int64_t row, float v) {
  v = std::fma(v, ep.mul[row], ep.add[row]);
  return ep.relu && v < 0.0f ? 0.0f : v;
}

// finish() with a residual added after the affine step (a fused ResNet add).
inline float finish_residual(const EpilogueView& ep, int64_t row, float v, float residual) {
  v = std::fma(v, ep.mul[row], ep.add[row]) + residual;
  return ep.relu && v < 0.0f ? 0.0f : v;
}

}  // namespace
}  // namespace tnn::kernels::cpu
