#include "cases.hpp"
#include "cudnn_conv.hpp"
#include "exact_reference.hpp"
#include "fill.hpp"

#include <memory>

namespace tnn::bench::gpu {

namespace cu = kernels::cuda;
namespace bl = kernels::cuda::baselines;

void run_conv_case(Runner& r, const ConvLayer& l, float zero_frac) {
  const auto& sh = l.shape;
  const std::string shape = l.str();
  if (!r.wants_any("conv", shape,
                   {"cudnn_f32", "cudnn_tf32", "cudnn_f16", "cuda_ternary", "cuda_ternary_f16",
                    "cuda_ternary_s8"}))
    return;
  const size_t nx = size_t(sh.n) * sh.h * sh.w * sh.c;
  const size_t ny = size_t(sh.n) * sh.oh() * sh.ow() * sh.k, nw = size_t(sh.k) * 9 * sh.c;
  cudaStream_t s = r.stream;

  BenchWeights w(sh.k, 9 * sh.c, zero_frac, 4321, s);
  cu::DeviceBuffer<float> w32(nw), x32(nx), y32(ny);
  cu::DeviceBuffer<__half> w16(nw), x16(nx), y16(ny);
  cu::DeviceBuffer<int8_t> x8(nx);
  expand_tg16(w.view, w32.get(), s);  // OHWI = cuDNN's KRSC for NHWC filters
  expand_tg16(w.view, w16.get(), s);
  fill_act(x32.get(), nx, 78, s);
  fill_act(x16.get(), nx, 78, s);
  fill_act(x8.get(), nx, 78, s);
  const Reference ref = make_reference(
      "reference_conv3x3 (FP32 inputs, double sums: exact)",
      [&] { reference_conv3x3(x32.get(), w32.get(), y32.get(), sh, s); }, y32.get(), ny, s);

  const double flops = 2.0 * double(ny) * 9 * sh.c;
  const double act32 = 4.0 * (nx + ny), act16 = 2.0 * (nx + ny);
  auto entry = [&](const char* impl, double wbytes, double act_bytes) {
    Entry e{"conv", impl, shape, "cold", {}, wbytes + act_bytes, flops, nlohmann::json::object()};
    e.extra["layer"] = l.name;
    e.extra["batch"] = sh.n;
    e.extra["macs"] = flops / 2;
    e.extra["weight_bytes"] = wbytes;
    e.extra["zero_fraction"] = zero_frac;
    return e;
  };

  // cuDNN: each mode picks its own algorithm (trial run on these buffers); one that finds none is
  // recorded as unavailable, with every candidate's reason, and the others still run.
  const struct {
    const char* impl;
    bl::CudnnMode mode;
  } modes[] = {{"cudnn_f32", bl::CudnnMode::f32},
               {"cudnn_tf32", bl::CudnnMode::tf32},
               {"cudnn_f16", bl::CudnnMode::f16}};
  for (const auto& m : modes) {
    const bool half = m.mode == bl::CudnnMode::f16;
    Entry e = entry(m.impl, (half ? 2.0 : 4.0) * nw, half ? act16 : act32);
    e.extra["algo_selection"] = r.cudnn_exhaustive ? "cudnnFind" : "heuristics_v7";
    if (!r.wants(e) && !r.wants(Entry{"conv", m.impl, shape, "warm", {}, 0, 0, {}})) continue;
    std::unique_ptr<bl::CudnnConv3x3> conv;
    try {
      const bl::CudnnTrialBuffers trial =
          half ? bl::CudnnTrialBuffers{x16.get(), w16.get(), y16.get()}
               : bl::CudnnTrialBuffers{x32.get(), w32.get(), y32.get()};
      conv = std::make_unique<bl::CudnnConv3x3>(m.mode, sh, s, trial, r.cudnn_exhaustive);
    } catch (const std::exception& ex) {
      cudaGetLastError();
      r.unavailable(e, ex.what());
      continue;
    }
    e.extra["algo"] = conv->algo();
    e.extra["math"] = conv->math();
    e.extra["workspace_bytes"] = conv->workspace_bytes();
    if (!conv->attempts().empty()) e.extra["algo_rejected"] = conv->attempts();
    bl::CudnnConv3x3* c = conv.get();
    if (half)
      r.run(
          e, [&](cudaStream_t) { c->run(x16.get(), w16.get(), y16.get()); }, y16.get(), ref);
    else
      r.run(
          e, [&](cudaStream_t) { c->run(x32.get(), w32.get(), y32.get()); }, y32.get(), ref);
  }
  r.run(
      entry("cuda_ternary", w.bytes(), act32),
      [&](cudaStream_t st) { cu::conv3x3(w.view, sh, x32.get(), y32.get(), st); }, y32.get(), ref);
  r.run(
      entry("cuda_ternary_f16", w.bytes(), act16),
      [&](cudaStream_t st) { cu::conv3x3(w.view, sh, x16.get(), y16.get(), st); }, y16.get(), ref);
  r.run(
      entry("cuda_ternary_s8", w.bytes(), double(nx) + 4.0 * ny),
      [&](cudaStream_t st) { cu::conv3x3_s8(w.view, sh, x8.get(), kActScale, y32.get(), st); },
      y32.get(), ref);
}

}  // namespace tnn::bench::gpu
