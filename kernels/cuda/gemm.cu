// Host entry points of the dense ternary GEMMs (Y = X W^T); M = 1 goes to the GEMV kernels when
// x and the weights are 16-byte aligned (what they load), else to the tiled kernels, which take
// any alignment.
#include "a_operand.cuh"
#include "check.hpp"
#include "gemm_f16_tc.cuh"
#include "gemm_f32.cuh"
#include "gemm_s8_tc.cuh"

namespace tnn::kernels::cuda {

namespace {
template <typename T>
detail::DenseA<T> dense(const TernaryMatrix& w, const T* x, int m) {
  return detail::DenseA<T>{x, m, w.cols, detail::chunks_aligned(x, w.cols, int(sizeof(T)))};
}
bool gemv_takes(const TernaryMatrix& w, int m, const void* x) {
  return m == 1 && reinterpret_cast<uintptr_t>(x) % 16 == 0 &&
         reinterpret_cast<uintptr_t>(w.words) % 16 == 0;
}
}  // namespace

void gemm(const TernaryMatrix& w, const float* x, int m, float* y, cudaStream_t stream) {
  detail::check_tile_args(w, m, x, y);
  if (gemv_takes(w, m, x)) return gemv(w, x, y, stream);
  detail::launch_gemm_f32(w, dense(w, x, m), y, stream);
  check_launch("gemm_f32_kernel");
}

void gemm(const TernaryMatrix& w, const __half* x, int m, __half* y, cudaStream_t stream) {
  detail::check_tile_args(w, m, x, y);
  if (gemv_takes(w, m, x)) return gemv(w, x, y, stream);
  detail::launch_gemm_f16_tc(w, dense(w, x, m), y, stream);
  check_launch("gemm_f16_tc_kernel");
}

void gemm_s8(const TernaryMatrix& w, const int8_t* x, int m, float x_scale, float* y,
             cudaStream_t stream) {
  detail::check_tile_args(w, m, x, y);
  if (gemv_takes(w, m, x)) return gemv_s8(w, x, x_scale, y, stream);
  detail::launch_gemm_s8_tc(w, dense(w, x, m), x_scale, y, stream);
  check_launch("gemm_s8_tc_kernel");
}

}  // namespace tnn::kernels::cuda
