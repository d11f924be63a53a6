// oneDNN baselines of gemm_f32: dnnl_sgemm ("onednn_f32") and the matmul primitive
// ("onednn_matmul", weights reordered once), ternary weights expanded to dense FP32; and of
// gemm_w2a8: the u8 x s8 matmul ("onednn_s8") with the ternary codes as s8 weights.
#include "../common.hpp"
#include "gemm_kernels.hpp"
#include "tnn/kernels/onednn.hpp"
#include "tnn/kernels/pack.hpp"
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

// y = in_scale * pos[r] * sum codes * (x - zp), then the epilogue: one term, symmetric scales
// (what s8 weights with per-row scales express exactly). The input scale can change per batch.
class MatmulS8Kernel : public Kernel {
 public:
  explicit MatmulS8Kernel(const Problem& p)
      : rows_(p.rows()),
        cols_(p.cols()),
        codes_(unpack_ternary(p.ternary->terms[0].codes.data(), size_t(rows_), size_t(cols_))),
        pos_(size_t(rows_)),
        in_q_(p.in_q),
        dynamic_(p.dynamic_input_quant),
        epilogue_(p.epilogue) {
    for (int64_t r = 0; r < rows_; ++r) pos_[size_t(r)] = p.ternary->pos(0, r);
    build(p.shape.n);
  }
  Layout input_layout(int) const override { return Layout::nhwc(DType::kU8, 1, 1, cols_); }
  Layout output_layout() const override { return Layout::nhwc(DType::kF32, 1, 1, rows_); }
  size_t weight_bytes() const override { return codes_.size(); }
  std::string describe() const override { return mm_->impl(); }
  void run(const RunArgs& a) override {
    if (a.n != n_ || omp_get_max_threads() != threads_) build(a.n);
    const QuantParams q = dynamic_ && a.in_q ? *a.in_q : in_q_;
    auto* y = static_cast<float*>(a.out);
    mm_->run(static_cast<const uint8_t*>(a.in), q.zero_point, y);  // scaled by pos[r]
    for (int64_t i = 0; i < a.n * rows_; ++i) y[i] *= q.scale;     // the input's, per batch
    ref::apply_epilogue(epilogue_, y, a.n, rows_);
  }

 private:
  void build(int64_t n) {
    mm_ = std::make_unique<onednn::MatmulS8>(codes_.data(), pos_.data(), rows_, cols_, n);
    n_ = n;
    threads_ = omp_get_max_threads();
  }
  int64_t rows_, cols_;
  std::vector<int8_t> codes_;
  std::vector<float> pos_;
  QuantParams in_q_;
  bool dynamic_;
  Epilogue epilogue_;
  std::unique_ptr<onednn::MatmulS8> mm_;
  int64_t n_ = 0;
  int threads_ = 0;
};

bool supports_s8(const Problem& p, std::string* why) {
  if (!needs_ternary(p, why)) return false;
  if (p.terms() != 1) return unsupported(why, "one ternary term only");
  if (!p.symmetric()) return unsupported(why, "symmetric scales only (scale_pos == scale_neg)");
  return true;
}

}  // namespace

Impl onednn_sgemm_impl() {
  return make_impl(Op::kGemmF32, "onednn_f32", "onednn", Role::kBaseline, any_problem,
                   [](const Problem& p) { return std::make_unique<SgemmKernel>(p); });
}

Impl onednn_matmul_impl() {
  return make_impl(Op::kGemmF32, "onednn_matmul", "onednn", Role::kBaseline, any_problem,
                   [](const Problem& p) { return std::make_unique<MatmulKernel>(p); });
}

Impl onednn_gemm_s8_impl() {
  return make_impl(Op::kGemmW2A8, "onednn_s8", "onednn", Role::kBaseline, supports_s8,
                   [](const Problem& p) { return std::make_unique<MatmulS8Kernel>(p); });
}

}  // namespace tnn::kernels::ops
