// cuBLAS baseline of gemm_f32 ("cublas_f32" on device "cuda"): cublasGemmEx in true FP32
// (CUBLAS_COMPUTE_32F, TF32 pinned off: the TF32 and FP16 modes of the GPU benchmark round the
// operands, which this op's semantics do not allow), ternary weights expanded to dense FP32, on
// host buffers (see ops/cuda_common.hpp).
#include "../cuda_common.hpp"
#include "cublas_gemm.hpp"
#include "gemm_kernels.hpp"

namespace tnn::kernels::ops {

namespace {

class CublasGemmKernel : public Kernel {
 public:
  explicit CublasGemmKernel(const Problem& p)
      : rows_(p.rows()),
        cols_(p.cols()),
        w_(dense_weights(p)),
        gemm_(cuda::baselines::CublasMode::f32, nullptr),
        output_(p) {}
  Layout input_layout(int) const override { return Layout::nhwc(DType::kF32, 1, 1, cols_); }
  Layout output_layout() const override { return Layout::nhwc(DType::kF32, 1, 1, rows_); }
  size_t weight_bytes() const override { return w_.bytes(); }
  std::string describe() const override {
    return "cuBLAS " + cuda::baselines::CublasGemm::version() + " " + gemm_.math() +
           ", host buffers";
  }
  void run(const RunArgs& a) override {
    const auto* x = static_cast<const float*>(a.in);
    const cuda::DeviceBuffer<float> x_dev(std::vector<float>(x, x + a.n * cols_));
    cuda::DeviceBuffer<float> y_dev(size_t(a.n * rows_));
    gemm_.run(w_.get(), x_dev.get(), y_dev.get(), int(a.n), int(rows_), int(cols_));
    std::vector<float> y = y_dev.download();
    output_.finish(y, rows_, a.out);
  }

 private:
  int64_t rows_, cols_;
  cuda::DeviceBuffer<float> w_;
  cuda::baselines::CublasGemm gemm_;
  HostOutputStage output_;
};

}  // namespace

Impl cublas_gemm_f32_impl() {
  return make_cuda_impl(Op::kGemmF32, "cublas_f32", Role::kBaseline, any_problem,
                        [](const Problem& p) { return std::make_unique<CublasGemmKernel>(p); });
}

}  // namespace tnn::kernels::ops
