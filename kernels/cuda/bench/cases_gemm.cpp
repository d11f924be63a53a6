#include "cases.hpp"
#include "cublas_gemm.hpp"
#include "exact_reference.hpp"
#include "fill.hpp"

#include <memory>

namespace tnn::bench::gpu {

namespace cu = kernels::cuda;
namespace bl = kernels::cuda::baselines;

void run_gemm_case(Runner& r, const std::string& op, const GemmShape& sh, float zero_frac) {
  const std::string shape = sh.str();
  if (!r.wants_any(op, shape,
                   {"cublas_f32", "cublas_tf32", "cublas_f16", "cuda_ternary", "cuda_ternary_f16",
                    "cuda_ternary_s8"}))
    return;
  const size_t nx = size_t(sh.m) * sh.k, ny = size_t(sh.m) * sh.n, nw = size_t(sh.n) * sh.k;
  cudaStream_t s = r.stream;

  BenchWeights w(sh.n, sh.k, zero_frac, 1234, s);
  cu::DeviceBuffer<float> w32(nw), x32(nx), y32(ny);
  cu::DeviceBuffer<__half> w16(nw), x16(nx), y16(ny);
  cu::DeviceBuffer<int8_t> x8(nx);
  expand_tg16(w.view, w32.get(), s);
  expand_tg16(w.view, w16.get(), s);
  fill_act(x32.get(), nx, 77, s);  // the same q in all three types
  fill_act(x16.get(), nx, 77, s);
  fill_act(x8.get(), nx, 77, s);
  const Reference ref = make_reference(
      "reference_gemm (FP32 inputs, double sums: exact)",
      [&] { reference_gemm(x32.get(), w32.get(), y32.get(), sh.m, sh.n, sh.k, s); }, y32.get(), ny,
      s);

  const double flops = 2.0 * sh.m * sh.n * sh.k;
  const double act32 = 4.0 * (nx + ny), act16 = 2.0 * (nx + ny);
  auto entry = [&](const char* impl, double wbytes, double act_bytes) {
    const double bytes = wbytes + act_bytes;
    Entry e{op, impl, shape, "cold", {}, bytes, flops, nlohmann::json::object()};
    e.extra["batch"] = sh.m;
    e.extra["macs"] = flops / 2;
    e.extra["weight_bytes"] = wbytes;
    e.extra["zero_fraction"] = zero_frac;
    return e;
  };

  // cuBLAS: FP32 (no TF32), TF32 and FP16 on their dense expansions; one that cannot be set up
  // is recorded as unavailable and the others still run.
  const struct {
    const char* impl;
    bl::CublasMode mode;
  } modes[] = {{"cublas_f32", bl::CublasMode::f32},
               {"cublas_tf32", bl::CublasMode::tf32},
               {"cublas_f16", bl::CublasMode::f16}};
  for (const auto& m : modes) {
    const bool half = m.mode == bl::CublasMode::f16;
    Entry e = entry(m.impl, (half ? 2.0 : 4.0) * nw, half ? act16 : act32);
    if (!r.wants(e) && !r.wants(Entry{op, m.impl, shape, "warm", {}, 0, 0, {}})) continue;
    std::unique_ptr<bl::CublasGemm> g;
    try {
      g = std::make_unique<bl::CublasGemm>(m.mode, s);
    } catch (const std::exception& ex) {
      r.unavailable(e, ex.what());
      continue;
    }
    e.extra["math"] = g->math();
    bl::CublasGemm* gp = g.get();
    if (half)
      r.run(
          e, [&](cudaStream_t) { gp->run(w16.get(), x16.get(), y16.get(), sh.m, sh.n, sh.k); },
          y16.get(), ref);
    else
      r.run(
          e, [&](cudaStream_t) { gp->run(w32.get(), x32.get(), y32.get(), sh.m, sh.n, sh.k); },
          y32.get(), ref);
  }

  r.run(
      entry("cuda_ternary", w.bytes(), act32),
      [&](cudaStream_t st) { cu::gemm(w.view, x32.get(), sh.m, y32.get(), st); }, y32.get(), ref);
  r.run(
      entry("cuda_ternary_f16", w.bytes(), act16),
      [&](cudaStream_t st) { cu::gemm(w.view, x16.get(), sh.m, y16.get(), st); }, y16.get(), ref);
  r.run(
      entry("cuda_ternary_s8", w.bytes(), double(nx) + 4.0 * ny),
      [&](cudaStream_t st) { cu::gemm_s8(w.view, x8.get(), sh.m, kActScale, y32.get(), st); },
      y32.get(), ref);
}

}  // namespace tnn::bench::gpu
