// Reference W2A8 GEMV/GEMM: int32 sums of (q - zero_point) over the +1 and -1 codes.
#include "tnn/kernels/ref.hpp"

namespace tnn::kernels::ref {

void gemm_w2a8(const TernaryView& w, const uint8_t* xq, int64_t n, const QuantParams& qp,
               float* y) {
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* xi = xq + i * w.cols;
    for (int64_t r = 0; r < w.rows; ++r) {
      const int8_t* row = w.codes + r * w.cols;
      int32_t plus = 0, minus = 0;
      for (int64_t c = 0; c < w.cols; ++c) {
        const int32_t v = int32_t(xi[c]) - qp.zero_point;
        if (row[c] > 0) plus += v;
        if (row[c] < 0) minus += v;
      }
      y[i * w.rows + r] = qp.scale * (w.pos(r) * float(plus) - w.neg(r) * float(minus));
    }
  }
}

void gemv_w2a8(const TernaryView& w, const uint8_t* xq, const QuantParams& qp, float* y) {
  gemm_w2a8(w, xq, 1, qp, y);
}

}  // namespace tnn::kernels::ref
