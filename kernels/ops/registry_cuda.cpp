// The CUDA entries of the registry: one line per implementation, as in registry.cpp. Built only
// with CUDA, into the object library tnn_cuda_ops (kernels/CMakeLists.txt): a program that links
// it (test_ops) has these entries, added by this file's static initializer, so that tnn_kernels
// itself never depends on the CUDA libraries (no link cycle, no CUDA in the installed package).
#include "common.hpp"
#include "conv/conv_kernels.hpp"
#include "gemm/gemm_kernels.hpp"

namespace tnn::kernels::ops {

namespace {

[[maybe_unused]] const bool registered = add_to_registry({
    cuda_gemm_f32_impl(),
    cublas_gemm_f32_impl(),
    cuda_gemm_w2a8_impl(),
    cuda_conv_f32_impl(),
    cudnn_conv_f32_impl(),
    cuda_conv_w2a8_impl(),
});

}  // namespace

}  // namespace tnn::kernels::ops
