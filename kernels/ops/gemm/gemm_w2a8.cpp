// ternary_s8 GEMV/GEMM: the W2A8 kernels (one per ISA, gemm_w2a8_<isa>.cpp) behind a Kernel.
// Activations arrive as u8 codes; the kernels take q - 128 as signed bytes plus the row sums.
#include "../common.hpp"
#include "gemm_kernels.hpp"

#include <algorithm>

namespace tnn::kernels::ops {

namespace {

class VnniKernel : public Kernel {
 public:
  VnniKernel(const Problem& p, cpu::GemmW2A8Fn fn)
      : fn_(fn),
        in_q_(p.in_q),
        dynamic_(p.dynamic_input_quant),
        m_(prepack_vnni(*p.ternary, p.epilogue)) {}
  Layout input_layout(int) const override { return Layout::nhwc(DType::kU8, 1, 1, m_.cols); }
  Layout output_layout() const override { return Layout::nhwc(DType::kF32, 1, 1, m_.rows); }
  std::unique_ptr<Kernel> clone() const override { return std::make_unique<VnniKernel>(*this); }
  size_t weight_bytes() const override { return m_.weight_bytes(); }
  std::string describe() const override { return "2-bit codes, int8 dot products"; }

  void run(const RunArgs& a) override {
    const QuantParams qp = dynamic_ && a.in_q ? *a.in_q : in_q_;
    const auto* xq = static_cast<const uint8_t*>(a.in);
    const int64_t n = a.n, cp = m_.col_blocks * 16;
    auto xs = scratch<int8_t>(n * cp);
    auto xsum = scratch<int32_t>(n);
    for (int64_t i = 0; i < n; ++i) {
      int32_t sum = 0;
      int8_t* row = xs.get() + i * cp;
      for (int64_t c = 0; c < m_.cols; ++c) {
        row[c] = int8_t(int32_t(xq[i * m_.cols + c]) - 128);
        sum += row[c];
      }
      std::fill(row + m_.cols, row + cp, int8_t(0));
      xsum[size_t(i)] = sum;
    }
    fn_(vnni_view(m_), xs.get(), xsum.get(), n, qp.scale, qp.zero_point,
        static_cast<float*>(a.out));
  }

 private:
  cpu::GemmW2A8Fn fn_;
  QuantParams in_q_;
  bool dynamic_;
  VnniMatrix m_;
};

}  // namespace

Impl ternary_gemm_w2a8_impl(const char* isa, cpu::GemmW2A8Fn fn) {
  return make_impl(Op::kGemmW2A8, "ternary_s8", isa, Role::kTernary, needs_ternary_terms,
                   [fn](const Problem& p) { return std::make_unique<VnniKernel>(p, fn); });
}

}  // namespace tnn::kernels::ops
