// Shared helpers for the kernel tests: random ternary weights and activations chosen so that
// every FP32 sum is an exact small integer times a power of two (benchdnn's trick), which makes
// bit-exact comparison against the reference valid in any summation order.
#pragma once

#include "tnn/kernels/isa.hpp"
#include "tnn/kernels/pack.hpp"
#include "tnn/kernels/types.hpp"

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace tnn::kernels::testing {

struct WeightSpec {
  double zero_fraction = 0.4;
  int terms = 1;
  bool per_channel = false;
  bool asymmetric = false;
};

inline float power_of_two_scale(std::mt19937& rng) {
  static const float choices[] = {0.25f, 0.5f, 1.0f, 2.0f};
  return choices[std::uniform_int_distribution<int>(0, 3)(rng)];
}

inline std::vector<int8_t> random_codes(int64_t count, double zero_fraction, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<int8_t> codes(static_cast<size_t>(count));
  for (auto& c : codes) c = u(rng) < zero_fraction ? 0 : (u(rng) < 0.5 ? 1 : -1);
  return codes;
}

inline TernaryWeights random_ternary(int64_t rows, int64_t cols, const WeightSpec& spec,
                                     std::mt19937& rng) {
  std::vector<std::vector<int8_t>> codes;
  std::vector<std::vector<float>> sp, sn;
  for (int t = 0; t < spec.terms; ++t) {
    codes.push_back(random_codes(rows * cols, spec.zero_fraction, rng));
    const int64_t n = spec.per_channel ? rows : 1;
    std::vector<float> p(static_cast<size_t>(n)), m(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      p[size_t(i)] = power_of_two_scale(rng);
      m[size_t(i)] = spec.asymmetric ? power_of_two_scale(rng) : p[size_t(i)];
    }
    sp.push_back(p);
    sn.push_back(m);
  }
  return make_ternary(rows, cols, codes, sp, sn);
}

// Small integers in [-range, range]: exact in FP32 sums.
inline std::vector<float> small_int_floats(int64_t count, int range, std::mt19937& rng) {
  std::uniform_int_distribution<int> d(-range, range);
  std::vector<float> x(static_cast<size_t>(count));
  for (auto& v : x) v = float(d(rng));
  return x;
}

inline std::vector<float> random_floats(int64_t count, std::mt19937& rng) {
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(count));
  for (auto& v : x) v = d(rng);
  return x;
}

inline std::vector<uint8_t> random_u8(int64_t count, std::mt19937& rng, int lo = 0, int hi = 255) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<uint8_t> x(static_cast<size_t>(count));
  for (auto& v : x) v = uint8_t(d(rng));
  return x;
}

// Per-channel epilogue with power-of-two multipliers and small integer offsets (exact).
inline Epilogue exact_epilogue(int64_t channels, bool relu, std::mt19937& rng) {
  Epilogue e;
  e.relu = relu;
  std::uniform_int_distribution<int> off(-4, 4);
  for (int64_t i = 0; i < channels; ++i) {
    e.mul.push_back(power_of_two_scale(rng));
    e.add.push_back(float(off(rng)));
  }
  return e;
}

// Largest |a-b| over the arrays (for the tolerance tests) and the count of bit differences.
inline int64_t count_mismatches(const std::vector<float>& a, const std::vector<float>& b) {
  int64_t bad = 0;
  for (size_t i = 0; i < a.size(); ++i) bad += a[i] != b[i];
  return bad;
}

inline std::string isa_label(Isa isa) {
  return std::string("isa=") + isa_name(isa);
}

}  // namespace tnn::kernels::testing
