// The CUDA 3x3 convolutions (tnn/kernels/cuda.hpp: padding 1, stride 1 or 2, NHWC) as the "cuda"
// variants of conv_f32 ternary_f32 and conv_w2a8 ternary_s8, on host buffers (see
// ops/cuda_common.hpp). Any number of terms and asymmetric scales (one launch per symmetric
// component); W2A8 with any zero points and FP32 or requantized u8 output (the kernel runs on
// q - 128; the host adds the zero-point term of the taps inside the image, then the epilogue).
#include "../cuda_common.hpp"
#include "conv_kernels.hpp"

namespace tnn::kernels::ops {

namespace {

class CudaConvKernel : public Kernel {
 public:
  explicit CudaConvKernel(const Problem& p)
      : op_(p.op),
        s_(p.shape),
        w_(*p.ternary, p.shape.kh * p.shape.kw),
        in_q_(p.in_q),
        output_(p) {}
  Layout input_layout(int) const override {
    return Layout::nhwc(op_ == Op::kConvW2A8 ? DType::kU8 : DType::kF32, s_.h, s_.w, s_.c);
  }
  Layout output_layout() const override {
    return Layout::nhwc(output_.out_dtype, s_.oh(), s_.ow(), s_.k);
  }
  size_t weight_bytes() const override { return w_.bytes(); }
  std::string describe() const override {
    return "CUDA tg16 implicit-GEMM 3x3 conv, " + std::to_string(w_.components().size()) +
           " component(s), host buffers";
  }

  void run(const RunArgs& a) override {
    const bool s8 = op_ == Op::kConvW2A8;
    const cuda::Conv3x3Shape cs = conv3x3_shape(s_, a.n);
    const DeviceInput x(s8 ? DType::kU8 : DType::kF32, a.in, size_t(a.n * s_.h * s_.w * s_.c));
    const auto launch = [&](const CudaTernaryWeights::Component& c, float* y) {
      if (s8)
        cuda::conv3x3_s8(c.view, cs, x.s8.get(), in_q_.scale, y, nullptr);
      else
        cuda::conv3x3(c.view, cs, x.f32.get(), y, nullptr);
    };
    std::vector<float> y = sum_components(w_, size_t(a.n * s_.oh() * s_.ow() * s_.k), launch,
                                          s8 ? &s_ : nullptr, a.n, in_q_);
    output_.finish(y, s_.k, a.out);
  }

 private:
  Op op_;
  ConvShape s_;
  CudaTernaryWeights w_;
  QuantParams in_q_;
  HostOutputStage output_;
};

bool supports(const Problem& p, std::string* why) {
  return cuda_supports_ternary(p, why) && cuda_supports_conv3x3(p, why);
}

std::unique_ptr<Kernel> prepare(const Problem& p) {
  return std::make_unique<CudaConvKernel>(p);
}

}  // namespace

Impl cuda_conv_f32_impl() {
  return make_cuda_impl(Op::kConvF32, "ternary_f32", Role::kTernary, supports, prepare);
}

Impl cuda_conv_w2a8_impl() {
  return make_cuda_impl(Op::kConvW2A8, "ternary_s8", Role::kTernary, supports, prepare);
}

}  // namespace tnn::kernels::ops
