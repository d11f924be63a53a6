// The CUDA GEMV/GEMM kernels (tnn/kernels/cuda.hpp) as the "cuda" variants of gemm_f32
// ternary_f32 and gemm_w2a8 ternary_s8, on host buffers (see ops/cuda_common.hpp). Any number
// of terms and asymmetric scales (one launch per symmetric component); W2A8 with any zero
// point, dynamic input quantization included (the kernel runs on q - 128, the host adds the
// zero-point term).
#include "../cuda_common.hpp"
#include "gemm_kernels.hpp"

namespace tnn::kernels::ops {

namespace {

class CudaGemmKernel : public Kernel {
 public:
  explicit CudaGemmKernel(const Problem& p)
      : op_(p.op),
        shape_(p.shape),
        w_(*p.ternary, 1),
        in_q_(p.in_q),
        dynamic_(p.dynamic_input_quant),
        output_(p) {}
  Layout input_layout(int) const override {
    return Layout::nhwc(op_ == Op::kGemmW2A8 ? DType::kU8 : DType::kF32, 1, 1, w_.cols());
  }
  Layout output_layout() const override { return Layout::nhwc(DType::kF32, 1, 1, w_.rows()); }
  size_t weight_bytes() const override { return w_.bytes(); }
  std::string describe() const override {
    return "CUDA tg16 GEMV/GEMM, " + std::to_string(w_.components().size()) +
           " component(s), host buffers";
  }

  void run(const RunArgs& a) override {
    const bool s8 = op_ == Op::kGemmW2A8;
    const int m = int(a.n);
    const QuantParams q = dynamic_ && a.in_q ? *a.in_q : in_q_;
    const DeviceInput x(s8 ? DType::kU8 : DType::kF32, a.in, size_t(a.n * w_.cols()));
    const auto launch = [&](const CudaTernaryWeights::Component& c, float* y) {
      if (s8)
        cuda::gemm_s8(c.view, x.s8.get(), m, q.scale, y, nullptr);
      else
        cuda::gemm(c.view, x.f32.get(), m, y, nullptr);
    };
    std::vector<float> y =
        sum_components(w_, size_t(a.n * w_.rows()), launch, s8 ? &shape_ : nullptr, a.n, q);
    output_.finish(y, w_.rows(), a.out);
  }

 private:
  Op op_;
  ConvShape shape_;  // the GEMM as a 1x1 conv (Problem::gemm)
  CudaTernaryWeights w_;
  QuantParams in_q_;
  bool dynamic_;
  HostOutputStage output_;
};

std::unique_ptr<Kernel> prepare(const Problem& p) {
  return std::make_unique<CudaGemmKernel>(p);
}

}  // namespace

Impl cuda_gemm_f32_impl() {
  return make_cuda_impl(Op::kGemmF32, "ternary_f32", Role::kTernary, cuda_supports_ternary,
                        prepare);
}

Impl cuda_gemm_w2a8_impl() {
  return make_cuda_impl(Op::kGemmW2A8, "ternary_s8", Role::kTernary, cuda_supports_ternary,
                        prepare);
}

}  // namespace tnn::kernels::ops
