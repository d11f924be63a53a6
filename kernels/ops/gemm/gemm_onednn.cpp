// oneDNN baselines of gemm_f32: dnnl_sgemm ("onednn_f32") and the matmul primitive
// ("onednn_matmul", weights reordered once), ternary weights expanded to dense FP32.
#include "../common.hpp"
#include "gemm_kernels.hpp"
#include "tnn/kernels/onednn.hpp"
#include "tnn/kernels/ref.hpp"

#include <omp.h>

namespace tnn::kernels::ops {

namespace {

class SgemmKernel : public Kernel {
 public:
  explicit SgemmKernel(const Problem& p)
      : rows_(p.rows()), cols_(p.cols()), w_(dense_weights(p)), epilogue_(p.epilogue) {}
  Layout input_layout(int) const override { return Layout::nhwc(DType::kF32, 1, 1, cols_); }
  Layout output_layout() const override { return Layout::nhwc(DType::kF32, 1, 1, rows_); }
  std::unique_ptr<Kernel> clone() const override { return std::make_unique<SgemmKernel>(*this); }
  size_t weight_bytes() const override { return w_.size() * sizeof(float); }
  std::string describe() const override { return "dnnl_sgemm " + onednn::version(); }
  void run(const RunArgs& a) override {
    auto* y = static_cast<float*>(a.out);
    const auto* x = static_cast<const float*>(a.in);
    if (a.n == 1)
      onednn::sgemv(w_.data(), rows_, cols_, x, y);
    else
      onednn::sgemm(w_.data(), rows_, cols_, x, a.n, y);
    ref::apply_epilogue(epilogue_, y, a.n, rows_);
  }

 private:
  int64_t rows_, cols_;
  std::vector<float> w_;
  Epilogue epilogue_;
};

// The primitive is built for one batch size and keeps the thread partitioning of the OpenMP
// thread count it was created under: rebuilt when either changes.
class MatmulKernel : public Kernel {
 public:
  explicit MatmulKernel(const Problem& p)
      : rows_(p.rows()), cols_(p.cols()), w_(dense_weights(p)), epilogue_(p.epilogue) {
    build(p.shape.n);
  }
  Layout input_layout(int) const override { return Layout::nhwc(DType::kF32, 1, 1, cols_); }
  Layout output_layout() const override { return Layout::nhwc(DType::kF32, 1, 1, rows_); }
  size_t weight_bytes() const override { return w_.size() * sizeof(float); }
  std::string describe() const override { return mm_->impl(); }
  void run(const RunArgs& a) override {
    if (a.n != n_ || omp_get_max_threads() != threads_) build(a.n);
    auto* y = static_cast<float*>(a.out);
    mm_->run(static_cast<const float*>(a.in), y);
    ref::apply_epilogue(epilogue_, y, a.n, rows_);
  }

 private:
  void build(int64_t n) {
    mm_ = std::make_unique<onednn::MatmulF32>(w_.data(), rows_, cols_, n);
    n_ = n;
    threads_ = omp_get_max_threads();
  }
  int64_t rows_, cols_;
  std::vector<float> w_;
  Epilogue epilogue_;
  std::unique_ptr<onednn::MatmulF32> mm_;
  int64_t n_ = 0;
  int threads_ = 0;
};

}  // namespace

Impl onednn_sgemm_impl() {
  return make_impl(Op::kGemmF32, "onednn_f32", "onednn", Role::kBaseline, any_problem,
                   [](const Problem& p) { return std::make_unique<SgemmKernel>(p); });
}

Impl onednn_matmul_impl() {
  return make_impl(Op::kGemmF32, "onednn_matmul", "onednn", Role::kBaseline, any_problem,
                   [](const Problem& p) { return std::make_unique<MatmulKernel>(p); });
}

}  // namespace tnn::kernels::ops
