// ternary_f32 GEMV/GEMM: the base-3 LUT kernels (one per ISA, gemm_f32_<isa>.cpp) behind a Kernel.
#include "../common.hpp"
#include "gemm_kernels.hpp"

#include <algorithm>
#include <cstring>

namespace tnn::kernels::ops {

namespace {

class LutKernel : public Kernel {
 public:
  LutKernel(const Problem& p, cpu::GemmF32Fn fn)
      : fn_(fn), m_(prepack_lut(*p.ternary, p.epilogue)) {}
  Layout input_layout(int) const override { return Layout::nhwc(DType::kF32, 1, 1, m_.cols); }
  Layout output_layout() const override { return Layout::nhwc(DType::kF32, 1, 1, m_.rows); }
  std::unique_ptr<Kernel> clone() const override { return std::make_unique<LutKernel>(*this); }
  size_t weight_bytes() const override { return m_.weight_bytes(); }
  std::string describe() const override { return "base-3 LUT (5 bits per 3 weights)"; }

  void run(const RunArgs& a) override {
    const auto* x = static_cast<const float*>(a.in);
    auto* y = static_cast<float*>(a.out);
    const int64_t n = a.n, cp = m_.col_blocks * kLutBlockCols;
    auto tables = scratch<float>(cpu::lut_tables_floats(std::min<int64_t>(n, 8), m_.col_blocks));
    if (cp == m_.cols) {
      fn_(lut_view(m_), x, n, y, tables.get());
      return;
    }
    auto padded = scratch<float>(n * cp);  // rows padded with zeros to whole column blocks
    for (int64_t i = 0; i < n; ++i) {
      std::memcpy(padded.get() + i * cp, x + i * m_.cols, size_t(m_.cols) * sizeof(float));
      std::fill(padded.get() + i * cp + m_.cols, padded.get() + (i + 1) * cp, 0.0f);
    }
    fn_(lut_view(m_), padded.get(), n, y, tables.get());
  }

 private:
  cpu::GemmF32Fn fn_;
  LutMatrix m_;
};

}  // namespace

Impl ternary_gemm_f32_impl(const char* isa, cpu::GemmF32Fn fn) {
  return make_impl(Op::kGemmF32, "ternary_f32", isa, Role::kTernary, needs_ternary_terms,
                   [fn](const Problem& p) { return std::make_unique<LutKernel>(p, fn); });
}

}  // namespace tnn::kernels::ops
