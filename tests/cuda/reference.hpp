// Plain CPU references for the CUDA kernel tests: one loop nest each, accumulated in double.
// With small-integer activations, ternary codes and power-of-two scales every sum is an exact
// integer, so any summation order on the GPU must match bit for bit.
#pragma once

#include "tnn/kernels/cuda.hpp"

#include <cstdint>
#include <vector>

namespace tnn::test {

// y[m][n] = scale(n) * sum_k x[m][k] * w[n][k]; also returns sum_k |x w| * |scale| in `mag`
// (the size a rounding-error bound scales with).
inline std::vector<double> ref_gemm(const std::vector<double>& x, int m,
                                    const std::vector<int8_t>& w, int n, int k,
                                    const std::vector<float>& scales,
                                    std::vector<double>* mag = nullptr) {
  std::vector<double> y(size_t(m) * n);
  if (mag) mag->assign(y.size(), 0.0);
  for (int i = 0; i < m; ++i)
    for (int r = 0; r < n; ++r) {
      const double s = scales.size() == 1 ? scales[0] : scales[size_t(r)];
      double acc = 0, a = 0;
      for (int c = 0; c < k; ++c) {
        const double p = x[size_t(i) * k + c] * w[size_t(r) * k + c];
        acc += p;
        a += p < 0 ? -p : p;
      }
      y[size_t(i) * n + r] = acc * s;
      if (mag) (*mag)[size_t(i) * n + r] = a * (s < 0 ? -s : s);
    }
  return y;
}

// NHWC input, OHWI weights (k x 9c), padding 1: the same contract as cuda::conv3x3.
inline std::vector<double> ref_conv3x3(const std::vector<double>& x,
                                       const kernels::cuda::Conv3x3Shape& s,
                                       const std::vector<int8_t>& w,
                                       const std::vector<float>& scales,
                                       std::vector<double>* mag = nullptr) {
  const int oh = s.oh(), ow = s.ow();
  std::vector<double> y(size_t(s.n) * oh * ow * s.k);
  if (mag) mag->assign(y.size(), 0.0);
  for (int b = 0; b < s.n; ++b)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox)
        for (int o = 0; o < s.k; ++o) {
          double acc = 0, a = 0;
          for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx) {
              const int iy = oy * s.stride - 1 + ky, ix = ox * s.stride - 1 + kx;
              if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
              for (int c = 0; c < s.c; ++c) {
                const double p = x[((size_t(b) * s.h + iy) * s.w + ix) * s.c + c] *
                                 w[size_t(o) * 9 * s.c + size_t(ky * 3 + kx) * s.c + c];
                acc += p;
                a += p < 0 ? -p : p;
              }
            }
          const double sc = scales.size() == 1 ? scales[0] : scales[size_t(o)];
          const size_t idx = ((size_t(b) * oh + oy) * ow + ox) * s.k + o;
          y[idx] = acc * sc;
          if (mag) (*mag)[idx] = a * (sc < 0 ? -sc : sc);
        }
  return y;
}

}  // namespace tnn::test
