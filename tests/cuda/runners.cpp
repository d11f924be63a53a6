#include "runners.hpp"

#include "reference.hpp"
#include "support.hpp"

#include <cuda_runtime_api.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <type_traits>

namespace tnn::test {

namespace cu = kernels::cuda;

const char* to_string(Act a) {
  switch (a) {
    case Act::f32:
      return "f32";
    case Act::f16:
      return "f16";
    case Act::s8:
      return "s8";
  }
  return "?";
}

namespace {

// Counts elements outside tolerance; reports the first few.
struct Comparison {
  size_t bad = 0;
  std::ostringstream first;
  void add(size_t i, double got, double want, double tol) {
    const bool ok = got == want || (!std::isnan(got) && std::fabs(got - want) <= tol);
    if (ok) return;
    if (bad < 5)
      first << "  [" << i << "] got " << got << ", want " << want << " (tol " << tol << ")\n";
    ++bad;
  }
};

// The rounding bound of real-mode checks (see runners.hpp); 0 in exact mode.
double tolerance(Act act, bool exact, int k, double mag, double want) {
  if (exact) return 0.0;
  const double accum = (k + 2) * std::ldexp(1.0, -24) * mag;
  switch (act) {
    case Act::f32:
      return accum;
    // GEMV's half2 partials sum <= 8 products; the output is rounded to FP16 once.
    case Act::f16:
      return accum + std::ldexp(1.0, -8) * mag + std::ldexp(1.0, -10) * std::fabs(want);
    case Act::s8:
      return std::ldexp(1.0, -22) * std::fabs(want);
  }
  return 0.0;
}

// Activations for `act`: exact small integers or reals (int8 is always integer; real mode then
// uses a non-power-of-two activation scale). Returns the values the device sees, as doubles.
std::vector<double> make_x(std::mt19937& rng, Act act, size_t n, bool exact) {
  if (act == Act::s8) return random_ints(rng, n, 127);
  if (exact) return random_ints(rng, n, 8);
  auto v = random_reals(rng, n);
  return act == Act::f16 ? from_f16(to_f16(v)) : v;
}

// Runs `launch(x_dev, y_dev)` with the device buffers for `act` and compares to `want`.
template <class Launch>
void run_and_compare(Act act, const std::vector<double>& x, const std::vector<double>& want,
                     const std::vector<double>& mag, int k, bool exact, float x_scale,
                     Launch launch) {
  Comparison cmp;
  if (act == Act::f16) {
    DeviceBuffer<__half> xd(to_f16(x)), yd(want.size());
    yd.fill_bytes(0xFF);
    launch(xd.get(), yd.get());
    cu::check_cuda(cudaDeviceSynchronize(), "kernel");
    const auto y = yd.download();
    for (size_t i = 0; i < y.size(); ++i) {
      // Exact mode: the FP32 result is exact, so the FP16 output is its correctly rounded value.
      const double w = exact ? double(__half2float(__float2half_rn(float(want[i])))) : want[i];
      cmp.add(i, __half2float(y[i]), w, tolerance(act, exact, k, mag[i], want[i]));
    }
  } else {
    DeviceBuffer<float> yd(want.size());
    yd.fill_bytes(0xFF);
    if (act == Act::f32) {
      DeviceBuffer<float> xd(to_f32(x));
      launch(xd.get(), yd.get());
    } else {
      DeviceBuffer<int8_t> xd(to_s8(x));
      launch(xd.get(), yd.get());
    }
    cu::check_cuda(cudaDeviceSynchronize(), "kernel");
    const auto y = yd.download();
    for (size_t i = 0; i < y.size(); ++i) {
      const double w = want[i] * x_scale;
      cmp.add(i, y[i], exact ? double(float(w)) : w,
              tolerance(act, exact, k, mag[i] * std::fabs(x_scale), w));
    }
  }
  INFO(cmp.bad << " of " << want.size() << " outputs off\n" << cmp.first.str());
  CHECK(cmp.bad == 0);
}

float pick_x_scale(Act act, bool exact) {
  if (act != Act::s8) return 1.0f;
  return exact ? 0.25f : 0.0137f;
}

}  // namespace

void check_gemm(Act act, const GemmCase& c, uint32_t seed) {
  INFO(to_string(act) << " gemm m=" << c.m << " n=" << c.n << " k=" << c.k
                      << (c.per_channel ? " per-channel" : " per-layer") << " zeros=" << c.zero_frac
                      << (c.exact ? " exact" : " real") << (c.via_gemv ? " gemv" : "")
                      << " seed=" << seed);
  std::mt19937 rng(seed);
  const auto codes = random_codes(rng, c.n, c.k, c.zero_frac);
  std::vector<float> scales = pow2_scales(rng, c.n, c.per_channel);
  if (!c.exact)
    for (auto& s : scales) s *= 1.37f;
  const auto w = upload_ternary(codes, c.n, c.k, scales);
  const auto x = make_x(rng, act, size_t(c.m) * c.k, c.exact);
  std::vector<double> mag;
  const auto want = ref_gemm(x, c.m, codes, c.n, c.k, scales, &mag);
  const float xs = pick_x_scale(act, c.exact);
  cudaStream_t s = nullptr;
  run_and_compare(act, x, want, mag, c.k, c.exact, xs, [&](auto* xd, auto* yd) {
    using X = std::remove_pointer_t<decltype(xd)>;
    using Y = std::remove_pointer_t<decltype(yd)>;
    if constexpr (std::is_same_v<X, int8_t>) {
      if (c.via_gemv)
        cu::gemv_s8(w.view, xd, xs, yd, s);
      else
        cu::gemm_s8(w.view, xd, c.m, xs, yd, s);
    } else if constexpr (std::is_same_v<X, Y>) {
      if (c.via_gemv)
        cu::gemv(w.view, xd, yd, s);
      else
        cu::gemm(w.view, xd, c.m, yd, s);
    }
  });
}

void check_conv(Act act, const ConvCase& c, uint32_t seed) {
  const auto& sh = c.shape;
  INFO(to_string(act) << " conv3x3 n=" << sh.n << " h=" << sh.h << " w=" << sh.w << " c=" << sh.c
                      << " k=" << sh.k << " stride=" << sh.stride
                      << (c.per_channel ? " per-channel" : " per-layer")
                      << (c.exact ? " exact" : " real") << " seed=" << seed);
  std::mt19937 rng(seed);
  const auto codes = random_codes(rng, sh.k, 9 * sh.c, c.zero_frac);
  std::vector<float> scales = pow2_scales(rng, sh.k, c.per_channel);
  if (!c.exact)
    for (auto& s : scales) s *= 1.37f;
  const auto w = upload_ternary(codes, sh.k, 9 * sh.c, scales);
  const auto x = make_x(rng, act, size_t(sh.n) * sh.h * sh.w * sh.c, c.exact);
  std::vector<double> mag;
  const auto want = ref_conv3x3(x, sh, codes, scales, &mag);
  const float xs = pick_x_scale(act, c.exact);
  cudaStream_t s = nullptr;
  run_and_compare(act, x, want, mag, 9 * sh.c, c.exact, xs, [&](auto* xd, auto* yd) {
    using X = std::remove_pointer_t<decltype(xd)>;
    using Y = std::remove_pointer_t<decltype(yd)>;
    if constexpr (std::is_same_v<X, int8_t>)
      cu::conv3x3_s8(w.view, sh, xd, xs, yd, s);
    else if constexpr (std::is_same_v<X, Y>)
      cu::conv3x3(w.view, sh, xd, yd, s);
  });
}

}  // namespace tnn::test
