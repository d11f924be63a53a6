// The roofline reference: a plain dense FP32 GEMV that streams W once at DRAM speed
// (docs/kernels.md measured 24-25 GB/s on one Zen 4 core with this shape of kernel), registered
// as gemm_f32 "dense_f32" (AVX-512; function-level target attributes, no per-file flags).
#include "../common.hpp"
#include "gemm_kernels.hpp"
#include "tnn/kernels/cpu.hpp"
#include "tnn/kernels/isa.hpp"
#include "tnn/kernels/ref.hpp"

#include <immintrin.h>

#include <stdexcept>

// GCC 12 false positive on its own AVX-512 intrinsics (see simd_avx512.hpp).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tnn::kernels {

namespace {

// 4 rows at a time: 4 independent FMA chains, x loaded once per 16 columns.
__attribute__((target("avx512f,fma"))) void gemv_rows(const float* w, int64_t r0, int64_t r1,
                                                      int64_t cols, const float* x, float* y) {
  const int64_t full = cols / 16 * 16;
  const __mmask16 tail = __mmask16((1u << (cols - full)) - 1);
  int64_t r = r0;
  for (; r + 4 <= r1; r += 4) {
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
                     _mm512_setzero_ps()};
    for (int64_t c = 0; c < full; c += 16) {
      const __m512 xv = _mm512_loadu_ps(x + c);
      for (int i = 0; i < 4; ++i)
        acc[i] = _mm512_fmadd_ps(_mm512_loadu_ps(w + (r + i) * cols + c), xv, acc[i]);
    }
    if (tail) {
      const __m512 xv = _mm512_maskz_loadu_ps(tail, x + full);
      for (int i = 0; i < 4; ++i)
        acc[i] =
            _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, w + (r + i) * cols + full), xv, acc[i]);
    }
    for (int i = 0; i < 4; ++i) y[r + i] = _mm512_reduce_add_ps(acc[i]);
  }
  for (; r < r1; ++r) {
    __m512 acc = _mm512_setzero_ps();
    for (int64_t c = 0; c < full; c += 16)
      acc = _mm512_fmadd_ps(_mm512_loadu_ps(w + r * cols + c), _mm512_loadu_ps(x + c), acc);
    if (tail)
      acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, w + r * cols + full),
                            _mm512_maskz_loadu_ps(tail, x + full), acc);
    y[r] = _mm512_reduce_add_ps(acc);
  }
}

}  // namespace

void gemv_dense_f32_avx512(const float* w, int64_t rows, int64_t cols, const float* x, float* y) {
  std::string why;
  if (!isa_supported(Isa::kAvx512, &why)) throw std::runtime_error("gemv_dense_f32_avx512: " + why);
  const int64_t blocks = (rows + 3) / 4;
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < blocks; ++b)
    gemv_rows(w, b * 4, b * 4 + 4 < rows ? b * 4 + 4 : rows, cols, x, y);
}

namespace ops {

namespace {

// Weights expanded to dense FP32 (row-major rows x cols); the epilogue runs after the GEMV.
class DenseGemvKernel : public Kernel {
 public:
  explicit DenseGemvKernel(const Problem& p)
      : rows_(p.rows()), cols_(p.cols()), w_(dense_weights(p)), epilogue_(p.epilogue) {}
  Layout input_layout(int) const override { return Layout::nhwc(DType::kF32, 1, 1, cols_); }
  Layout output_layout() const override { return Layout::nhwc(DType::kF32, 1, 1, rows_); }
  std::unique_ptr<Kernel> clone() const override {
    return std::make_unique<DenseGemvKernel>(*this);
  }
  size_t weight_bytes() const override { return w_.size() * sizeof(float); }
  std::string describe() const override { return "dense FP32 GEMV, 4 rows x 16 lanes of FMA"; }
  void run(const RunArgs& a) override {
    const auto* x = static_cast<const float*>(a.in);
    auto* y = static_cast<float*>(a.out);
    for (int64_t i = 0; i < a.n; ++i)  // one GEMV per input row: a GEMV kernel, not a GEMM
      gemv_dense_f32_avx512(w_.data(), rows_, cols_, x + i * cols_, y + i * rows_);
    ref::apply_epilogue(epilogue_, y, a.n, rows_);
  }

 private:
  int64_t rows_, cols_;
  std::vector<float> w_;
  Epilogue epilogue_;
};

}  // namespace

Impl dense_gemv_avx512_impl() {
  return make_impl(Op::kGemmF32, "dense_f32", "avx512", Role::kBaseline, any_problem,
                   [](const Problem& p) { return std::make_unique<DenseGemvKernel>(p); });
}

}  // namespace ops

}  // namespace tnn::kernels
