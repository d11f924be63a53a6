// The cuBLAS / cuDNN baselines the benchmark times must compute the same function as the ternary
// kernels: each runs the dense expansion (codes x scale) of a ternary matrix and is compared with
// the CPU reference. Tolerances allow TF32 and cuDNN's Winograd/FFT algorithms.
#include "cublas_gemm.hpp"
#include "cudnn_conv.hpp"
#include "reference.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <cmath>

namespace cu = tnn::kernels::cuda;
namespace bl = tnn::kernels::cuda::baselines;
using namespace tnn::test;

namespace {

std::vector<double> dense(const std::vector<int8_t>& codes, int rows, int cols,
                          const std::vector<float>& scales) {
  std::vector<double> w(codes.size());
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      w[size_t(r) * cols + c] = codes[size_t(r) * cols + c] * scales[scales.size() == 1 ? 0 : r];
  return w;
}

// Runs `run(w, x, y)` on FP32 or FP16 device copies; returns the output as doubles.
template <class Run>
std::vector<double> run_dense(bool f16, const std::vector<double>& w, const std::vector<double>& x,
                              size_t ny, Run run) {
  std::vector<double> out(ny);
  if (f16) {
    DeviceBuffer<__half> wd(to_f16(w)), xd(to_f16(x)), yd(ny);
    yd.fill_bytes(0xFF);
    run(wd.get(), xd.get(), yd.get());
    cu::check_cuda(cudaDeviceSynchronize(), "baseline");
    const auto y = yd.download();
    for (size_t i = 0; i < ny; ++i) out[i] = __half2float(y[i]);
  } else {
    DeviceBuffer<float> wd(to_f32(w)), xd(to_f32(x)), yd(ny);
    yd.fill_bytes(0xFF);
    run(wd.get(), xd.get(), yd.get());
    cu::check_cuda(cudaDeviceSynchronize(), "baseline");
    const auto y = yd.download();
    for (size_t i = 0; i < ny; ++i) out[i] = y[i];
  }
  return out;
}

void expect_close(const std::vector<double>& got, const std::vector<double>& want,
                  const std::vector<double>& mag, double rel_mag, bool f16_out) {
  size_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double tol = rel_mag * mag[i] + (f16_out ? std::ldexp(std::fabs(want[i]), -10) : 0.0);
    if (std::isnan(got[i]) || std::fabs(got[i] - want[i]) > tol) {
      if (bad < 3) UNSCOPED_INFO("[" << i << "] got " << got[i] << " want " << want[i]);
      ++bad;
    }
  }
  CHECK(bad == 0);
}

}  // namespace

TEST_CASE("cuBLAS baselines compute Y = X W^T", "[gpu][baseline]") {
  std::mt19937 rng(21);
  for (auto mode : {bl::CublasMode::f32, bl::CublasMode::tf32, bl::CublasMode::f16})
    for (int m : {1, 16, 33}) {
      const int n = 70, k = 300;
      INFO("cublas " << bl::to_string(mode) << " m=" << m);
      const auto codes = random_codes(rng, n, k, 0.4);
      const auto scales = pow2_scales(rng, n, true);
      const auto x = random_ints(rng, size_t(m) * k, 8);
      std::vector<double> mag;
      const auto want = ref_gemm(x, m, codes, n, k, scales, &mag);
      bl::CublasGemm g(mode, nullptr);
      const bool f16 = mode == bl::CublasMode::f16;
      const auto got = run_dense(f16, dense(codes, n, k, scales), x, want.size(),
                                 [&](auto* w, auto* xd, auto* y) { g.run(w, xd, y, m, n, k); });
      expect_close(got, want, mag, mode == bl::CublasMode::f32 ? 1e-6 : 1e-3, f16);
    }
}

TEST_CASE("cuDNN baselines compute the NHWC 3x3 convolution", "[gpu][baseline]") {
  std::mt19937 rng(22);
  for (auto mode : {bl::CudnnMode::f32, bl::CudnnMode::tf32, bl::CudnnMode::f16})
    for (int stride : {1, 2}) {
      cu::Conv3x3Shape s;
      s.n = 2, s.h = 16, s.w = 16, s.c = 16, s.k = 32, s.stride = stride;
      INFO("cudnn " << bl::to_string(mode) << " stride=" << stride);
      const auto codes = random_codes(rng, s.k, 9 * s.c, 0.4);
      const auto scales = pow2_scales(rng, s.k, true);
      const auto x = random_ints(rng, size_t(s.n) * s.h * s.w * s.c, 8);
      std::vector<double> mag;
      const auto want = ref_conv3x3(x, s, codes, scales, &mag);
      const bool f16 = mode == bl::CudnnMode::f16;
      std::string algo, math;
      const auto got = run_dense(
          f16, dense(codes, s.k, 9 * s.c, scales), x, want.size(), [&](auto* w, auto* xd, auto* y) {
            // The algorithm is chosen by a trial run on these buffers.
            bl::CudnnConv3x3 conv(mode, s, nullptr, {xd, w, y});
            algo = conv.algo() + ", workspace " + std::to_string(conv.workspace_bytes()) +
                   (conv.attempts().empty() ? "" : ", rejected before: " + conv.attempts());
            math = conv.math();
            conv.run(xd, w, y);
            cu::check_cuda(cudaDeviceSynchronize(), "cudnn conv");
          });
      INFO("algo " << algo << ", " << math);
      if (mode == bl::CudnnMode::f32) CHECK(math == "CUDNN_FMA_MATH");  // a true FP32 baseline
      expect_close(got, want, mag, 1e-3, f16);
    }
}
