// Host entry points of the ternary 3x3 convolutions (padding 1, stride 1 or 2, NHWC): the tiled
// GEMM kernels with an implicit-im2col activation operand, M = n * oh * ow, N = k, K = 9 * c.
#include "a_operand.cuh"
#include "check.hpp"
#include "gemm_f16_tc.cuh"
#include "gemm_f32.cuh"
#include "gemm_s8_tc.cuh"

#include <string>

namespace tnn::kernels::cuda {

namespace {
template <typename T>
detail::Im2colA<T> im2col(const TernaryMatrix& w, const Conv3x3Shape& s, const T* x) {
  if (s.n <= 0 || s.h <= 0 || s.w <= 0 || s.c <= 0 || s.k <= 0)
    throw std::invalid_argument("cuda conv3x3: empty shape");
  if (s.stride != 1 && s.stride != 2)
    throw std::invalid_argument("cuda conv3x3: stride must be 1 or 2");
  if (w.rows != s.k || w.cols != 9 * s.c)
    throw std::invalid_argument(
        "cuda conv3x3: weights are " + std::to_string(w.rows) + " x " + std::to_string(w.cols) +
        ", expected k x 9c = " + std::to_string(s.k) + " x " + std::to_string(9 * s.c));
  const long long m = 1LL * s.n * s.oh() * s.ow();
  if (m > (1LL << 30)) throw std::invalid_argument("cuda conv3x3: too many output pixels");
  return detail::Im2colA<T>{
      x,      s.h,    s.w,    s.c,    s.stride,
      s.oh(), s.ow(), int(m), w.cols, detail::chunks_aligned(x, s.c, int(sizeof(T)))};
}
}  // namespace

void conv3x3(const TernaryMatrix& w, const Conv3x3Shape& s, const float* x, float* y,
             cudaStream_t stream) {
  const auto a = im2col(w, s, x);
  detail::check_tile_args(w, a.m, x, y);
  detail::launch_gemm_f32(w, a, y, stream);
  check_launch("conv3x3 gemm_f32_kernel");
}

void conv3x3(const TernaryMatrix& w, const Conv3x3Shape& s, const __half* x, __half* y,
             cudaStream_t stream) {
  const auto a = im2col(w, s, x);
  detail::check_tile_args(w, a.m, x, y);
  detail::launch_gemm_f16_tc(w, a, y, stream);
  check_launch("conv3x3 gemm_f16_tc_kernel");
}

void conv3x3_s8(const TernaryMatrix& w, const Conv3x3Shape& s, const int8_t* x, float x_scale,
                float* y, cudaStream_t stream) {
  const auto a = im2col(w, s, x);
  detail::check_tile_args(w, a.m, x, y);
  detail::launch_gemm_s8_tc(w, a, x_scale, y, stream);
  check_launch("conv3x3 gemm_s8_tc_kernel");
}

}  // namespace tnn::kernels::cuda
