// Internal: the per-ISA convolution kernels (files conv_<family>_<isa>.cpp, compiled with their
// ISA's flags) and the factories that register them (conv_f32.cpp, conv_w2a8.cpp, ...).
#pragma once

#include "../views.hpp"
#include "tnn/kernels/ops.hpp"

namespace tnn::kernels::cpu {

// Builds the copied tap planes of the n images first when `planes` is given (inside the same
// OpenMP region: one fork/join per conv).
using ConvF32Fn = void (*)(const ConvF32View& v, const PlanesView* planes, const float* in,
                           float* scratch, float* out, int64_t n);
void conv_f32_scalar(const ConvF32View& v, const PlanesView* planes, const float* in,
                     float* scratch, float* out, int64_t n);
void conv_f32_avx2(const ConvF32View& v, const PlanesView* planes, const float* in, float* scratch,
                   float* out, int64_t n);
void conv_f32_avx512(const ConvF32View& v, const PlanesView* planes, const float* in,
                     float* scratch, float* out, int64_t n);

// Portable plane builder (scalar / AVX2 kernels, AVX-512 for stride > 2). Its loop is an
// orphaned `omp for`: call it from inside a parallel region (it runs serially outside one).
void build_planes_scalar(const PlanesView& v, const float* in, int64_t in_stride, int64_t images,
                         float* scratch, int64_t scratch_stride);

using ConvW2A8Fn = void (*)(const ConvW2A8View& v, const uint8_t* in, int64_t n);
void conv_w2a8_scalar(const ConvW2A8View& v, const uint8_t* in, int64_t n);
void conv_w2a8_avx2(const ConvW2A8View& v, const uint8_t* in, int64_t n);
void conv_w2a8_avx512(const ConvW2A8View& v, const uint8_t* in, int64_t n);
void conv_w2a8_unpacked_avx512(const ConvW2A8View& v, const uint8_t* in, int64_t n);

}  // namespace tnn::kernels::cpu

namespace tnn::kernels::ops {

Impl ref_conv_f32_impl();
Impl ref_conv_w2a8_impl();
Impl ternary_conv_f32_impl(const char* isa, cpu::ConvF32Fn fn);
Impl ternary_conv_w2a8_impl(const char* isa, cpu::ConvW2A8Fn fn);
// The same kernels on weights unpacked to s8 once (family "ternary_s8_unpacked").
Impl unpacked_conv_w2a8_impl(const char* isa, cpu::ConvW2A8Fn fn);
Impl onednn_conv_f32_impl();
Impl onednn_conv_s8_impl();
// CUDA (built only with CUDA; registered by registry_cuda.cpp).
Impl cuda_conv_f32_impl();
Impl cuda_conv_w2a8_impl();
Impl cudnn_conv_f32_impl();

}  // namespace tnn::kernels::ops
