// oneDNN 2.6 conv baselines: "onednn_f32" (FP32, ternary weights expanded to dense with the
// affine folded into weights and bias, a fused residual add as a binary post-op, ReLU post-op) and
// "onednn_s8" (u8 x s8 with the ternary codes as s8 weights, per-channel output scales, ReLU
// post-op). NHWC activations; primitives are rebuilt when the batch size or the OpenMP thread count
// changes (oneDNN fixes its work partitioning when a primitive is created).
#include "../common.hpp"
#include "conv_kernels.hpp"
#include "tnn/kernels/onednn.hpp"
#include "tnn/kernels/pack.hpp"

#include <omp.h>

namespace tnn::kernels::ops {

namespace {

class OnednnF32ConvKernel : public Kernel {
 public:
  explicit OnednnF32ConvKernel(const Problem& p)
      : s_(p.shape),
        w_(dense_weights(p)),
        bias_(size_t(p.shape.k), 0.0f),
        relu_(p.epilogue.relu),
        residual_(p.epilogue.residual) {
    const int64_t cols = s_.patch();
    for (int64_t r = 0; r < s_.k; ++r) {
      const float mul = p.epilogue.mul.empty() ? 1.0f : p.epilogue.mul[size_t(r)];
      for (int64_t c = 0; c < cols; ++c) w_[size_t(r * cols + c)] *= mul;
      if (!p.epilogue.add.empty()) bias_[size_t(r)] = p.epilogue.add[size_t(r)];
    }
    build(s_.n);
  }
  Layout input_layout(int) const override { return Layout::nhwc(DType::kF32, s_.h, s_.w, s_.c); }
  Layout output_layout() const override {
    return Layout::nhwc(DType::kF32, s_.oh(), s_.ow(), s_.k);
  }
  size_t weight_bytes() const override { return w_.size() * sizeof(float); }
  std::string describe() const override { return conv_->impl(); }
  void run(const RunArgs& a) override {
    if (a.n != s_.n || omp_get_max_threads() != threads_) build(a.n);
    conv_->run(static_cast<const float*>(a.in), static_cast<float*>(a.out),
               residual_ ? static_cast<const float*>(a.in2) : nullptr);
  }

 private:
  void build(int64_t n) {
    s_.n = n;
    threads_ = omp_get_max_threads();
    conv_ = std::make_unique<onednn::ConvF32>(s_, w_.data(), bias_.data(), relu_, residual_);
  }
  ConvShape s_;
  std::vector<float> w_, bias_;
  bool relu_, residual_;
  int threads_ = 0;
  std::unique_ptr<onednn::ConvF32> conv_;
};

class OnednnS8ConvKernel : public Kernel {
 public:
  explicit OnednnS8ConvKernel(const Problem& p)
      : s_(p.shape),
        codes_(
            unpack_ternary(p.ternary->terms[0].codes.data(), size_t(p.rows()), size_t(p.cols()))),
        scales_(size_t(p.shape.k)),
        relu_(p.epilogue.relu),
        to_u8_(p.out_dtype == DType::kU8) {
    const float out = to_u8_ ? p.out_q.scale : 1.0f;
    for (int64_t k = 0; k < s_.k; ++k) {
      const float mul = p.epilogue.mul.empty() ? 1.0f : p.epilogue.mul[size_t(k)];
      scales_[size_t(k)] = p.in_q.scale * p.ternary->pos(0, k) * mul / out;
    }
    build(s_.n);
  }
  Layout input_layout(int) const override { return Layout::nhwc(DType::kU8, s_.h, s_.w, s_.c); }
  Layout output_layout() const override {
    return Layout::nhwc(to_u8_ ? DType::kU8 : DType::kF32, s_.oh(), s_.ow(), s_.k);
  }
  size_t weight_bytes() const override { return codes_.size(); }
  std::string describe() const override { return conv_->impl(); }
  void run(const RunArgs& a) override {
    if (a.n != s_.n || omp_get_max_threads() != threads_) build(a.n);
    conv_->run(static_cast<const uint8_t*>(a.in), a.out);
  }

 private:
  void build(int64_t n) {
    s_.n = n;
    threads_ = omp_get_max_threads();
    conv_ =
        std::make_unique<onednn::ConvS8>(s_, codes_.data(), scales_.data(), s_.k, relu_, to_u8_);
  }
  ConvShape s_;
  std::vector<int8_t> codes_;
  std::vector<float> scales_;
  bool relu_, to_u8_;
  int threads_ = 0;
  std::unique_ptr<onednn::ConvS8> conv_;
};

// The wrapper has no zero points and no bias: what a u8 x s8 conv with per-channel scales
// expresses exactly.
bool supports_s8(const Problem& p, std::string* why) {
  if (!needs_ternary(p, why) || !no_dynamic_quant(p, why)) return false;
  if (p.terms() != 1) return unsupported(why, "one ternary term only");
  if (!p.symmetric()) return unsupported(why, "symmetric scales only (scale_pos == scale_neg)");
  if (p.in_q.zero_point != 0) return unsupported(why, "input zero point must be 0");
  if (p.out_dtype == DType::kU8 && p.out_q.zero_point != 0)
    return unsupported(why, "output zero point must be 0");
  for (float v : p.epilogue.add)
    if (v != 0.0f) return unsupported(why, "no bias (epilogue add must be 0)");
  return true;
}

// oneDNN 2.6's binary-add post-op gave wrong sums on some padded shapes (test_ops: 1x1 and 1xk
// kernels with padding, 5x5 kernels on images 1-2 pixels wide), so a fused residual add is
// taken only for ResNet-like convolutions: 1x1 or 3x3, pad k/2, stride 1 or 2, the image at
// least as large as the kernel (12,000 random cases, some 300 of them fused and ResNet-like,
// agree with the reference there).
bool supports_f32(const Problem& p, std::string* why) {
  const ConvShape& s = p.shape;
  const bool resnet_like = s.kh == s.kw && (s.kh == 1 || s.kh == 3) && s.pad == s.kh / 2 &&
                           s.stride <= 2 && s.h >= s.kh && s.w >= s.kw;
  if (p.epilogue.residual && !resnet_like)
    return unsupported(why,
                       "fused residual add only on ResNet-like convs (oneDNN 2.6 post-op bug)");
  return true;
}

}  // namespace

Impl onednn_conv_f32_impl() {
  return make_impl(
      Op::kConvF32, "onednn_f32", "onednn", Role::kBaseline, supports_f32,
      [](const Problem& p) { return std::make_unique<OnednnF32ConvKernel>(p); },
      /*fuses_residual=*/true);
}

Impl onednn_conv_s8_impl() {
  return make_impl(Op::kConvW2A8, "onednn_s8", "onednn", Role::kBaseline, supports_s8,
                   [](const Problem& p) { return std::make_unique<OnednnS8ConvKernel>(p); });
}

}  // namespace tnn::kernels::ops
