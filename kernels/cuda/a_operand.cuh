// The activation operand of the tiled kernels, read in 16-byte chunks of consecutive k and
// zero-filled outside the matrix (zeros matter: a garbage NaN times a zero weight is NaN).
// DenseA reads a row-major M x K matrix; Im2colA gathers the same rows from an NHWC image for a
// 3x3 convolution (implicit GEMM, nothing is materialized).
#pragma once

#include <cstdint>
#include <cstring>

namespace tnn::kernels::cuda::detail {

template <typename T>
struct DenseA {
  static constexpr int kVec = 16 / int(sizeof(T));  // elements per chunk
  const T* x;
  int m, k;
  bool vec;  // x 16-byte aligned and k * sizeof(T) a multiple of 16: whole chunks load at once

  // Elements (row, col .. col + kVec - 1) as raw bits; col is a multiple of kVec.
  __device__ __forceinline__ uint4 chunk(int row, int col) const {
    uint4 v = make_uint4(0, 0, 0, 0);
    if (row >= m || col >= k) return v;
    const T* p = x + size_t(row) * size_t(k) + col;
    if (vec && col + kVec <= k) return __ldg(reinterpret_cast<const uint4*>(p));
    T e[kVec];
#pragma unroll
    for (int i = 0; i < kVec; ++i) e[i] = col + i < k ? p[i] : T(0);
    memcpy(&v, e, sizeof(v));
    return v;
  }
};

template <typename T>
struct Im2colA {
  static constexpr int kVec = 16 / int(sizeof(T));
  const T* x;  // n x h x w x c
  int h, w, c, stride, oh, ow;
  int m, k;  // m = n * oh * ow output pixels, k = 9 * c
  bool vec;  // c a multiple of kVec and x 16-byte aligned: a chunk never spans two taps

  __device__ __forceinline__ uint4 chunk(int row, int col) const {
    uint4 v = make_uint4(0, 0, 0, 0);
    if (row >= m || col >= k) return v;
    const int img = row / (oh * ow), pix = row % (oh * ow);
    const int y0 = (pix / ow) * stride - 1, x0 = (pix % ow) * stride - 1;
    const T* base = x + size_t(img) * size_t(h) * size_t(w) * size_t(c);
    if (vec) {
      const int tap = col / c, ch = col % c;
      const int iy = y0 + tap / 3, ix = x0 + tap % 3;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) return v;
      return __ldg(reinterpret_cast<const uint4*>(base + (size_t(iy) * w + ix) * c + ch));
    }
    T e[kVec];
#pragma unroll
    for (int i = 0; i < kVec; ++i) {
      const int kk = col + i, tap = kk / c, ch = kk % c;
      const int iy = y0 + tap / 3, ix = x0 + tap % 3;
      const bool in = kk < k && iy >= 0 && iy < h && ix >= 0 && ix < w;
      e[i] = in ? base[(size_t(iy) * w + ix) * c + ch] : T(0);
    }
    memcpy(&v, e, sizeof(v));
    return v;
  }
};

}  // namespace tnn::kernels::cuda::detail
