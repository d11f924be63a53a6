// Reference GEMV/GEMM (the oracle of gemm_f32 and gemm_w2a8): ternary with FP32 activations (P
// and M summed in column order), W2A8 (int32 sums of q - zero_point) and dense FP32; and their
// registry entries "ref" / "ref_s8".
#include "../common.hpp"
#include "gemm_kernels.hpp"
#include "tnn/kernels/ref.hpp"

namespace tnn::kernels::ref {

void gemm(const TernaryView& w, const float* x, int64_t n, float* y) {
  for (int64_t i = 0; i < n; ++i) {
    const float* xi = x + i * w.cols;
    for (int64_t r = 0; r < w.rows; ++r) {
      const int8_t* row = w.codes + r * w.cols;
      float plus = 0.0f, minus = 0.0f;
      for (int64_t c = 0; c < w.cols; ++c) {
        if (row[c] > 0) plus += xi[c];
        if (row[c] < 0) minus += xi[c];
      }
      y[i * w.rows + r] = w.pos(r) * plus - w.neg(r) * minus;
    }
  }
}

void gemv(const TernaryView& w, const float* x, float* y) {
  gemm(w, x, 1, y);
}

void gemm_dense(const float* w, int64_t rows, int64_t cols, const float* x, int64_t n, float* y) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 0; r < rows; ++r) {
      float acc = 0.0f;
      for (int64_t c = 0; c < cols; ++c) acc += w[r * cols + c] * x[i * cols + c];
      y[i * rows + r] = acc;
    }
}

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

namespace tnn::kernels::ops {

namespace {

// y = epilogue(W x) with the reference loops; ternary codes are unpacked on every call.
class RefGemmKernel : public Kernel {
 public:
  explicit RefGemmKernel(const Problem& p)
      : op_(p.op),
        rows_(p.rows()),
        cols_(p.cols()),
        in_q_(p.in_q),
        dynamic_(p.dynamic_input_quant),
        epilogue_(p.epilogue),
        w_(p) {}
  Layout input_layout(int) const override {
    return Layout::nhwc(op_ == Op::kGemmW2A8 ? DType::kU8 : DType::kF32, 1, 1, cols_);
  }
  Layout output_layout() const override { return Layout::nhwc(DType::kF32, 1, 1, rows_); }
  size_t weight_bytes() const override { return size_t(rows_ * cols_); }
  std::string describe() const override { return "reference loops"; }

  void run(const RunArgs& a) override {
    auto* y = static_cast<float*>(a.out);
    if (op_ == Op::kGemmW2A8) {
      const QuantParams qp = dynamic_ && a.in_q ? *a.in_q : in_q_;
      ref::gemm_w2a8(w_.ternary, static_cast<const uint8_t*>(a.in), a.n, qp, y);
    } else if (w_.dense.empty()) {
      ref::gemm(w_.ternary, static_cast<const float*>(a.in), a.n, y);
    } else {
      ref::gemm_dense(w_.dense.data(), rows_, cols_, static_cast<const float*>(a.in), a.n, y);
    }
    ref::apply_epilogue(epilogue_, y, a.n, rows_);
  }

 private:
  Op op_;
  int64_t rows_, cols_;
  QuantParams in_q_;
  bool dynamic_;
  Epilogue epilogue_;
  OwnedWeights w_;
};

std::unique_ptr<Kernel> prepare_ref(const Problem& p) {
  return std::make_unique<RefGemmKernel>(p);
}

}  // namespace

Impl ref_gemm_f32_impl() {
  return make_impl(Op::kGemmF32, "ref", "scalar", Role::kReference, any_problem, prepare_ref);
}

Impl ref_gemm_w2a8_impl() {
  return make_impl(Op::kGemmW2A8, "ref_s8", "scalar", Role::kReference, needs_ternary, prepare_ref);
}

}  // namespace tnn::kernels::ops
