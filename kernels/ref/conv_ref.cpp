// Reference direct convolution: NHWC activations, OHWI weights, zero padding, any stride.
// The reduction runs over (ky, kx, c) in that order, i.e. along a weight row.
#include "tnn/kernels/ref.hpp"

namespace tnn::kernels::ref {

namespace {

// Calls f(weight_column, input_value) for every in-bounds tap of output pixel (n, oy, ox).
template <class F>
void for_each_tap(const ConvShape& s, int64_t n, int64_t oy, int64_t ox, F&& f) {
  for (int64_t ky = 0; ky < s.kh; ++ky) {
    const int64_t iy = oy * s.stride + ky - s.pad;
    if (iy < 0 || iy >= s.h) continue;
    for (int64_t kx = 0; kx < s.kw; ++kx) {
      const int64_t ix = ox * s.stride + kx - s.pad;
      if (ix < 0 || ix >= s.w) continue;
      const int64_t col0 = (ky * s.kw + kx) * s.c;
      const int64_t pix = ((n * s.h + iy) * s.w + ix) * s.c;
      for (int64_t c = 0; c < s.c; ++c) f(col0 + c, pix + c);
    }
  }
}

}  // namespace

void conv2d(const ConvShape& s, const float* x, const TernaryView& w, float* y) {
  s.validate();
  const int64_t oh = s.oh(), ow = s.ow();
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox)
        for (int64_t k = 0; k < s.k; ++k) {
          const int8_t* row = w.codes + k * w.cols;
          float plus = 0.0f, minus = 0.0f;
          for_each_tap(s, n, oy, ox, [&](int64_t col, int64_t idx) {
            if (row[col] > 0) plus += x[idx];
            if (row[col] < 0) minus += x[idx];
          });
          y[((n * oh + oy) * ow + ox) * s.k + k] = w.pos(k) * plus - w.neg(k) * minus;
        }
}

void conv2d_dense(const ConvShape& s, const float* x, const float* w_ohwi, float* y) {
  s.validate();
  const int64_t oh = s.oh(), ow = s.ow(), cols = s.patch();
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox)
        for (int64_t k = 0; k < s.k; ++k) {
          const float* row = w_ohwi + k * cols;
          float acc = 0.0f;
          for_each_tap(s, n, oy, ox, [&](int64_t col, int64_t idx) { acc += row[col] * x[idx]; });
          y[((n * oh + oy) * ow + ox) * s.k + k] = acc;
        }
}

void conv2d_w2a8(const ConvShape& s, const uint8_t* xq, const QuantParams& qp, const TernaryView& w,
                 float* y) {
  s.validate();
  const int64_t oh = s.oh(), ow = s.ow();
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox)
        for (int64_t k = 0; k < s.k; ++k) {
          const int8_t* row = w.codes + k * w.cols;
          int32_t plus = 0, minus = 0;
          for_each_tap(s, n, oy, ox, [&](int64_t col, int64_t idx) {
            const int32_t v = int32_t(xq[idx]) - qp.zero_point;
            if (row[col] > 0) plus += v;
            if (row[col] < 0) minus += v;
          });
          y[((n * oh + oy) * ow + ox) * s.k + k] =
              qp.scale * (w.pos(k) * float(plus) - w.neg(k) * float(minus));
        }
}

}  // namespace tnn::kernels::ref
