// Inputs for the CUDA kernel tests: random ternary codes (with forced all-zero rows), small
// integer or random-float activations, power-of-two scales, and the upload of a ternary matrix
// through the real load path (pack_ternary -> relayout_tg16 -> device).
#pragma once

#include "device_buffer.hpp"
#include "tnn/kernels/cuda.hpp"
#include "tnn/kernels/pack.hpp"

#include <cuda_fp16.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace tnn::test {

using kernels::cuda::DeviceBuffer;

// rows x cols codes; `zero_frac` of them 0, and every 5th row entirely 0 when zero_rows.
inline std::vector<int8_t> random_codes(std::mt19937& rng, int rows, int cols, double zero_frac,
                                        bool zero_rows = true) {
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<int8_t> c(size_t(rows) * cols);
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k < cols; ++k) {
      const bool zero = (zero_rows && r % 5 == 3) || u(rng) < zero_frac;
      c[size_t(r) * cols + k] = zero ? 0 : (u(rng) < 0.5 ? -1 : 1);
    }
  return c;
}

// Integers in [-lim, lim] (exact in FP16 and int8 for lim <= 127).
inline std::vector<double> random_ints(std::mt19937& rng, size_t n, int lim) {
  std::uniform_int_distribution<int> d(-lim, lim);
  std::vector<double> v(n);
  for (auto& e : v) e = d(rng);
  return v;
}

inline std::vector<double> random_reals(std::mt19937& rng, size_t n) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<double> v(n);
  for (auto& e : v) e = d(rng);
  return v;
}

// 1 (per-layer) or `rows` powers of two, so scaling stays exact.
inline std::vector<float> pow2_scales(std::mt19937& rng, int rows, bool per_channel) {
  std::uniform_int_distribution<int> e(-3, 3);
  std::vector<float> s(per_channel ? size_t(rows) : 1);
  for (auto& v : s) v = std::ldexp(1.0f, e(rng));
  return s;
}

inline std::vector<float> to_f32(const std::vector<double>& v) {
  return std::vector<float>(v.begin(), v.end());
}
inline std::vector<__half> to_f16(const std::vector<double>& v) {
  std::vector<__half> h(v.size());
  for (size_t i = 0; i < v.size(); ++i) h[i] = __float2half_rn(float(v[i]));
  return h;
}
inline std::vector<int8_t> to_s8(const std::vector<double>& v) {
  return std::vector<int8_t>(v.begin(), v.end());
}
// The values the device actually sees (an FP16 input is rounded).
inline std::vector<double> from_f16(const std::vector<__half>& h) {
  std::vector<double> v(h.size());
  for (size_t i = 0; i < h.size(); ++i) v[i] = __half2float(h[i]);
  return v;
}

struct DeviceTernary {
  DeviceBuffer<uint32_t> words;
  DeviceBuffer<float> scales;
  kernels::cuda::TernaryMatrix view;
};

inline DeviceTernary upload_ternary(const std::vector<int8_t>& codes, int rows, int cols,
                                    const std::vector<float>& scales) {
  const auto packed = kernels::pack_ternary(codes.data(), size_t(rows), size_t(cols));
  const auto host = kernels::cuda::relayout_tg16(packed.data(), rows, cols);
  DeviceTernary d{DeviceBuffer<uint32_t>(host.words), DeviceBuffer<float>(scales), {}};
  d.view.words = d.words.get();
  d.view.scales = d.scales.get();
  d.view.rows = rows;
  d.view.cols = cols;
  d.view.ld_words = host.ld_words;
  d.view.per_channel = scales.size() > 1;
  return d;
}

}  // namespace tnn::test
