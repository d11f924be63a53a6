// Internal: the per-ISA GEMV/GEMM kernels (files gemm_<family>_<isa>.cpp, compiled with their
// ISA's flags) and the factories that register them (gemm_f32.cpp, gemm_w2a8.cpp).
#pragma once

#include "../views.hpp"
#include "tnn/kernels/ops.hpp"

namespace tnn::kernels::cpu {

// x: n rows of col_blocks*18 floats (zero padded); tables: scratch of
// lut_tables_floats(min(n, 8), col_blocks) floats.
using GemmF32Fn = void (*)(const LutView& w, const float* x, int64_t n, float* y, float* tables);
void gemm_f32_scalar(const LutView& w, const float* x, int64_t n, float* y, float* tables);
void gemm_f32_avx2(const LutView& w, const float* x, int64_t n, float* y, float* tables);
void gemm_f32_avx512(const LutView& w, const float* x, int64_t n, float* y, float* tables);

// xs: n rows of col_blocks*16 int8 = q - 128 (zero padded), xsum: per-row sum of xs.
using GemmW2A8Fn = void (*)(const VnniView& w, const int8_t* xs, const int32_t* xsum, int64_t n,
                            float in_scale, int32_t zero_point, float* y);
void gemm_w2a8_scalar(const VnniView& w, const int8_t* xs, const int32_t* xsum, int64_t n,
                      float in_scale, int32_t zero_point, float* y);
void gemm_w2a8_avx2(const VnniView& w, const int8_t* xs, const int32_t* xsum, int64_t n,
                    float in_scale, int32_t zero_point, float* y);
void gemm_w2a8_avx512(const VnniView& w, const int8_t* xs, const int32_t* xsum, int64_t n,
                      float in_scale, int32_t zero_point, float* y);

}  // namespace tnn::kernels::cpu

namespace tnn::kernels {
struct LutMatrix;  // tnn/kernels/cpu.hpp (not included here: the ISA files see only views)
struct VnniMatrix;
}  // namespace tnn::kernels

namespace tnn::kernels::ops {

// The plain-pointer views of the prepacked GEMM plans that the ISA kernels take (gemm_plans.cpp).
cpu::LutView lut_view(const LutMatrix& m);
cpu::VnniView vnni_view(const VnniMatrix& m);

Impl ref_gemm_f32_impl();
Impl ref_gemm_w2a8_impl();
Impl ternary_gemm_f32_impl(const char* isa, cpu::GemmF32Fn fn);
Impl ternary_gemm_w2a8_impl(const char* isa, cpu::GemmW2A8Fn fn);
Impl dense_gemv_avx512_impl();
Impl onednn_sgemm_impl();
Impl onednn_matmul_impl();
Impl onednn_gemm_s8_impl();
// CUDA (built only with CUDA; registered by registry_cuda.cpp).
Impl cuda_gemm_f32_impl();
Impl cuda_gemm_w2a8_impl();
Impl cublas_gemm_f32_impl();

}  // namespace tnn::kernels::ops
