// Reference ternary GEMV/GEMM with FP32 activations: P and M summed in column order.
#include "tnn/kernels/ref.hpp"

namespace tnn::kernels::ref {

void gemm(const TernaryView& w, const float* x, int64_t n, float* y) {
  for (int64_t i = 0; i < n; ++i) {
    const float* xi = x + i * w.cols;
    for (int64_t r = 0; r < w.rows; ++r) {
      const int8_t* row = w.codes + r * w.cols;
      float plus = 0.0f, minus = 0.0f;
      for (int64_t c = 0; c < w.cols; ++c) {
        if (row[c] > 0) plus += xi[c];
        if (row[c] < 0) minus += xi[c];
      }
      y[i * w.rows + r] = w.pos(r) * plus - w.neg(r) * minus;
    }
  }
}

void gemv(const TernaryView& w, const float* x, float* y) {
  gemm(w, x, 1, y);
}

void gemm_dense(const float* w, int64_t rows, int64_t cols, const float* x, int64_t n, float* y) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 0; r < rows; ++r) {
      float acc = 0.0f;
      for (int64_t c = 0; c < cols; ++c) acc += w[r * cols + c] * x[i * cols + c];
      y[i * rows + r] = acc;
    }
}

}  // namespace tnn::kernels::ref
