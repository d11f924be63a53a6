// Multi-term wrappers: unpack each term, run the one-term reference, sum in term order.
#include "tnn/kernels/pack.hpp"
#include "tnn/kernels/ref.hpp"

#include <cmath>
#include <vector>

namespace tnn::kernels::ref {

namespace {

struct UnpackedTerm {
  std::vector<int8_t> codes;
  TernaryView view;
};

UnpackedTerm unpack_term(const TernaryWeights& w, size_t t) {
  UnpackedTerm u;
  u.codes = unpack_ternary(w.terms[t].codes.data(), size_t(w.rows), size_t(w.cols));
  u.view.codes = u.codes.data();
  u.view.rows = w.rows;
  u.view.cols = w.cols;
  u.view.scale_pos = w.terms[t].scale_pos.data();
  u.view.scale_neg = w.terms[t].scale_neg.data();
  u.view.per_channel = w.terms[t].scale_pos.size() != 1;
  return u;
}

// Runs `one(view, out)` per term into a scratch buffer and sums into y.
template <class F>
void sum_terms(const TernaryWeights& w, int64_t out_count, float* y, F&& one) {
  w.validate();
  std::vector<float> part(static_cast<size_t>(out_count));
  for (size_t t = 0; t < w.terms.size(); ++t) {
    UnpackedTerm u = unpack_term(w, t);
    one(u.view, t == 0 ? y : part.data());
    if (t > 0)
      for (int64_t i = 0; i < out_count; ++i) y[i] += part[size_t(i)];
  }
}

}  // namespace

void gemv(const TernaryWeights& w, const float* x, float* y) {
  sum_terms(w, w.rows, y, [&](const TernaryView& v, float* out) { gemv(v, x, out); });
}

void gemm(const TernaryWeights& w, const float* x, int64_t n, float* y) {
  sum_terms(w, n * w.rows, y, [&](const TernaryView& v, float* out) { gemm(v, x, n, out); });
}

void conv2d(const ConvShape& s, const float* x, const TernaryWeights& w, float* y) {
  sum_terms(w, s.n * s.oh() * s.ow() * s.k, y,
            [&](const TernaryView& v, float* out) { conv2d(s, x, v, out); });
}

void gemv_w2a8(const TernaryWeights& w, const uint8_t* xq, const QuantParams& qp, float* y) {
  sum_terms(w, w.rows, y, [&](const TernaryView& v, float* out) { gemv_w2a8(v, xq, qp, out); });
}

void gemm_w2a8(const TernaryWeights& w, const uint8_t* xq, int64_t n, const QuantParams& qp,
               float* y) {
  sum_terms(w, n * w.rows, y,
            [&](const TernaryView& v, float* out) { gemm_w2a8(v, xq, n, qp, out); });
}

void conv2d_w2a8(const ConvShape& s, const uint8_t* xq, const QuantParams& qp,
                 const TernaryWeights& w, float* y) {
  sum_terms(w, s.n * s.oh() * s.ow() * s.k, y,
            [&](const TernaryView& v, float* out) { conv2d_w2a8(s, xq, qp, v, out); });
}

void apply_epilogue(const Epilogue& e, float* y, int64_t pixels, int64_t channels) {
  e.validate(channels);
  for (int64_t p = 0; p < pixels; ++p)
    for (int64_t c = 0; c < channels; ++c) {
      // One rounding (fma), as the SIMD epilogues do; mul=1, add=0 leave v unchanged.
      const float mul = e.mul.empty() ? 1.0f : e.mul[size_t(c)];
      const float add = e.add.empty() ? 0.0f : e.add[size_t(c)];
      float v = std::fma(y[p * channels + c], mul, add);
      if (e.relu && v < 0.0f) v = 0.0f;
      y[p * channels + c] = v;
    }
}

}  // namespace tnn::kernels::ref
