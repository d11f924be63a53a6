// Internal: the per-ISA convolution kernels (files conv_<family>_<isa>.cpp, compiled with their
// ISA's flags) and the factories that register them (conv_f32.cpp, conv_w2a8.cpp, ...).
#pragma once

#include "../views.hpp"
#include "tnn/kernels/ops.hpp"

namespace tnn::kernels::cpu {

// When `planes` is given, each thread builds the copied tap planes its tiles read in its own
// scratch region (planes->threads regions of v.scratch_stride floats from `scratch`), inside the
// conv's one OpenMP region (conv_f32_parallel.hpp).
using ConvF32Fn = void (*)(const ConvF32View& v, const PlanesView* planes, const float* in,
                           float* scratch, float* out, int64_t n);
void conv_f32_scalar(const ConvF32View& v, const PlanesView* planes, const float* in,
                     float* scratch, float* out, int64_t n);
void conv_f32_avx2(const ConvF32View& v, const PlanesView* planes, const float* in, float* scratch,
                   float* out, int64_t n);
void conv_f32_avx512(const ConvF32View& v, const PlanesView* planes, const float* in,
                     float* scratch, float* out, int64_t n);

// Portable plane builder (scalar / AVX2 kernels, AVX-512 for stride > 2): positions [lo, hi) of
// every copied plane channel of one image (whole rows may be built), run by one thread.
void build_planes_scalar(const PlanesView& v, const float* in, float* scratch, int64_t lo,
                         int64_t hi);

using ConvW2A8Fn = void (*)(const ConvW2A8View& v, const uint8_t* in, int64_t n);
void conv_w2a8_scalar(const ConvW2A8View& v, const uint8_t* in, int64_t n);
void conv_w2a8_avx2(const ConvW2A8View& v, const uint8_t* in, int64_t n);
void conv_w2a8_avx512(const ConvW2A8View& v, const uint8_t* in, int64_t n);
void conv_w2a8_unpacked_avx512(const ConvW2A8View& v, const uint8_t* in, int64_t n);

}  // namespace tnn::kernels::cpu

namespace tnn::kernels::ops {

Impl ref_conv_f32_impl();
Impl ref_conv_w2a8_impl();
// width: output channels per bundle the kernel takes in symmetric ternary plans (2 or 4;
// ConvF32Plan::width); asymmetric and dense plans are always pairs.
Impl ternary_conv_f32_impl(const char* isa, cpu::ConvF32Fn fn, int64_t width = 2);
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
