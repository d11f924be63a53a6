// Reference direct convolution (the oracle of conv_f32 and conv_w2a8): NHWC activations, OHWI
// weights, zero padding, any stride. The reduction runs over (ky, kx, c) in that order, i.e.
// along a weight row. Registered as conv_f32 "ref" and conv_w2a8 "ref_s8".
#include "../common.hpp"
#include "conv_kernels.hpp"
#include "tnn/kernels/quant.hpp"
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

// y[n][oy][ox][k] = f(n, oy, ox, k) for every output element (NHWC).
template <class F>
void for_each_output(const ConvShape& s, float* y, F&& f) {
  const int64_t oh = s.oh(), ow = s.ow();
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox)
        for (int64_t k = 0; k < s.k; ++k) y[((n * oh + oy) * ow + ox) * s.k + k] = f(n, oy, ox, k);
}

}  // namespace

void conv2d(const ConvShape& s, const float* x, const TernaryView& w, float* y) {
  s.validate();
  for_each_output(s, y, [&](int64_t n, int64_t oy, int64_t ox, int64_t k) {
    const int8_t* row = w.codes + k * w.cols;
    float plus = 0.0f, minus = 0.0f;
    for_each_tap(s, n, oy, ox, [&](int64_t col, int64_t idx) {
      if (row[col] > 0) plus += x[idx];
      if (row[col] < 0) minus += x[idx];
    });
    return w.pos(k) * plus - w.neg(k) * minus;
  });
}

void conv2d_dense(const ConvShape& s, const float* x, const float* w_ohwi, float* y) {
  s.validate();
  for_each_output(s, y, [&](int64_t n, int64_t oy, int64_t ox, int64_t k) {
    const float* row = w_ohwi + k * s.patch();
    float acc = 0.0f;
    for_each_tap(s, n, oy, ox, [&](int64_t col, int64_t idx) { acc += row[col] * x[idx]; });
    return acc;
  });
}

void conv2d_w2a8(const ConvShape& s, const uint8_t* xq, const QuantParams& qp, const TernaryView& w,
                 float* y) {
  s.validate();
  for_each_output(s, y, [&](int64_t n, int64_t oy, int64_t ox, int64_t k) {
    const int8_t* row = w.codes + k * w.cols;
    int32_t plus = 0, minus = 0;
    for_each_tap(s, n, oy, ox, [&](int64_t col, int64_t idx) {
      const int32_t v = int32_t(xq[idx]) - qp.zero_point;
      if (row[col] > 0) plus += v;
      if (row[col] < 0) minus += v;
    });
    return qp.scale * (w.pos(k) * float(plus) - w.neg(k) * float(minus));
  });
}

}  // namespace tnn::kernels::ref

namespace tnn::kernels::ops {

namespace {

// Plain NHWC loops; ternary codes are unpacked on every call. W2A8 with a u8 output quantizes
// the FP32 result with out_q (quant.hpp), as the engine's W2A8 graph defines it.
class RefConvKernel : public Kernel {
 public:
  explicit RefConvKernel(const Problem& p)
      : op_(p.op),
        s_(p.shape),
        in_q_(p.in_q),
        out_q_(p.out_q),
        out_dtype_(p.out_dtype),
        epilogue_(p.epilogue),
        w_(p) {}
  Layout input_layout(int) const override {
    return Layout::nhwc(op_ == Op::kConvW2A8 ? DType::kU8 : DType::kF32, s_.h, s_.w, s_.c);
  }
  Layout output_layout() const override {
    return Layout::nhwc(op_ == Op::kConvW2A8 ? out_dtype_ : DType::kF32, s_.oh(), s_.ow(), s_.k);
  }
  size_t weight_bytes() const override { return size_t(s_.k * s_.patch()); }
  std::string describe() const override { return "reference loops"; }

  void run(const RunArgs& a) override {
    ConvShape s = s_;
    s.n = a.n;
    const int64_t pixels = s.n * s.oh() * s.ow();
    const bool to_u8 = op_ == Op::kConvW2A8 && out_dtype_ == DType::kU8;
    std::vector<float> tmp(to_u8 ? size_t(pixels * s.k) : 0);
    float* y = to_u8 ? tmp.data() : static_cast<float*>(a.out);
    if (op_ == Op::kConvW2A8)
      ref::conv2d_w2a8(s, static_cast<const uint8_t*>(a.in), in_q_, w_.ternary, y);
    else if (w_.dense.empty())
      ref::conv2d(s, static_cast<const float*>(a.in), w_.ternary, y);
    else
      ref::conv2d_dense(s, static_cast<const float*>(a.in), w_.dense.data(), y);
    if (epilogue_.residual) {  // affine, + residual, then ReLU (the fused ResNet add)
      Epilogue affine = epilogue_;
      affine.relu = false;
      ref::apply_epilogue(affine, y, pixels, s.k);
      const auto* r = static_cast<const float*>(a.in2);
      for (int64_t i = 0; i < pixels * s.k; ++i) {
        y[i] += r[i];
        if (epilogue_.relu && y[i] < 0.0f) y[i] = 0.0f;
      }
    } else {
      ref::apply_epilogue(epilogue_, y, pixels, s.k);
    }
    if (to_u8) quantize(y, pixels * s.k, out_q_, static_cast<uint8_t*>(a.out));
  }

 private:
  Op op_;
  ConvShape s_;
  QuantParams in_q_, out_q_;
  DType out_dtype_;
  Epilogue epilogue_;
  OwnedWeights w_;
};

std::unique_ptr<Kernel> prepare_ref(const Problem& p) {
  return std::make_unique<RefConvKernel>(p);
}

}  // namespace

Impl ref_conv_f32_impl() {
  return make_impl(Op::kConvF32, "ref", "scalar", Role::kReference, any_problem, prepare_ref,
                   /*fuses_residual=*/true);
}

Impl ref_conv_w2a8_impl() {
  return make_impl(
      Op::kConvW2A8, "ref_s8", "scalar", Role::kReference,
      [](const Problem& p, std::string* why) {
        return needs_ternary(p, why) && no_dynamic_quant(p, why);
      },
      prepare_ref);
}

}  // namespace tnn::kernels::ops
