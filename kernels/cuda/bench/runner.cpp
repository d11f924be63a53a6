#include "runner.hpp"

#include "check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>

namespace tnn::bench::gpu {

using kernels::cuda::check_cuda;

namespace {
template <typename T>
std::vector<T> copy_to_host(const T* y, size_t n, cudaStream_t s) {
  std::vector<T> h(n);
  if (n == 0) return h;
  check_cuda(cudaMemcpyAsync(h.data(), y, n * sizeof(T), cudaMemcpyDeviceToHost, s), "download");
  check_cuda(cudaStreamSynchronize(s), "download (sync)");
  return h;
}
}  // namespace

std::vector<float> download(const float* y, size_t n, cudaStream_t s) {
  return copy_to_host(y, n, s);
}

std::vector<float> download(const __half* y, size_t n, cudaStream_t s) {
  const std::vector<__half> h = copy_to_host(y, n, s);
  std::vector<float> f(n);
  std::transform(h.begin(), h.end(), f.begin(), [](__half v) { return __half2float(v); });
  return f;
}

Reference make_reference(const std::string& source, const std::function<void()>& launch, float* y,
                         size_t n, cudaStream_t s) {
  Reference r;
  r.source = source;
  try {
    check_cuda(cudaMemsetAsync(y, 0xFF, n * sizeof(float), s), "poison reference output");
    launch();
    r.values = download(y, n, s);
    const size_t nans = size_t(
        std::count_if(r.values.begin(), r.values.end(), [](float v) { return std::isnan(v); }));
    if (nans > 0) r.missing = source + " left " + std::to_string(nans) + " outputs NaN";
  } catch (const std::exception& ex) {
    cudaGetLastError();
    r.missing = source + " failed: " + ex.what();
  }
  if (!r.ok()) {
    r.values.clear();
    std::printf("reference: %s\n", r.missing.c_str());
  }
  return r;
}

void record_check(Entry& e, const std::vector<float>& y, const Reference& ref, bool half_out) {
  e.extra["role"] = role_of(e.impl) == Role::ours ? "ours" : "baseline";
  if (!ref.ok()) {
    e.extra["check"] = "unchecked";
    e.extra["reference_missing"] = ref.missing;
    return;
  }
  const CheckResult c = compare_to_reference(y, ref.values, half_out, e.impl);
  e.extra["check"] = c.verdict;
  e.extra["reference"] = ref.source;
  e.extra["max_abs_diff"] = c.max_abs_diff;
  e.extra["max_abs_ref"] = c.max_abs_ref;
  e.extra["max_rel_diff"] = c.max_rel_diff;
  e.extra["differing_outputs"] = c.differing;
  if (c.nan > 0) e.extra["nan_outputs"] = c.nan;
  if (role_of(e.impl) == Role::baseline) e.extra["check_bound_rel"] = baseline_bound(e.impl);
}

namespace {
void record_error(Entry& e, const std::exception& ex) {
  cudaGetLastError();  // clear a non-sticky launch error so later cases still run
  std::printf("%-58s ERROR %s\n", e.name().c_str(), ex.what());
  e.extra["role"] = role_of(e.impl) == Role::ours ? "ours" : "baseline";
  e.extra["error_occurred"] = true;
  e.extra["error_message"] = ex.what();
}
}  // namespace

void Runner::unavailable(Entry e, const std::string& why) {
  if (!wants(e)) return;
  std::printf("%-58s UNAVAILABLE %s\n", e.name().c_str(), why.c_str());
  e.extra["role"] = role_of(e.impl) == Role::ours ? "ours" : "baseline";
  e.extra["error_occurred"] = true;
  e.extra["error_message"] = "unavailable: " + why;
  out.push_back(e);
  std::fflush(stdout);
}

void Runner::measure(Entry e, const Op& op, const std::function<void()>& before,
                     const std::function<void(Entry&)>& check) {
  if (!wants(e)) return;
  try {
    before();
    e.stats = timer.cold(op);
    check(e);  // the output of the last timed call
    e.extra["l2"] = "flushed";
    const std::string verdict = e.extra["check"].get<std::string>();
    std::printf("%-58s %10.2f us %9.1f GB/s %8.2f TFLOP/s  %s", e.name().c_str(), e.stats.median_us,
                e.bytes / e.stats.median_us * 1e-3, e.flops / e.stats.median_us * 1e-6,
                verdict.c_str());
    if (verdict != "exact" && verdict != "unchecked")
      std::printf(" (max rel diff %.3g)", e.extra["max_rel_diff"].get<double>());
    std::printf("\n");
  } catch (const std::exception& ex) {
    record_error(e, ex);
  }
  out.push_back(e);
  if (graph && !e.extra.contains("error_occurred")) {
    Entry g = e;
    g.suffix = "warm";
    g.extra["l2"] = "hot (CUDA-graph replays)";
    try {
      g.stats = timer.graph(op);
      std::printf("%-58s %10.2f us\n", g.name().c_str(), g.stats.median_us);
    } catch (const std::exception& ex) {
      record_error(g, ex);
    }
    out.push_back(g);
  }
  std::fflush(stdout);
}

}  // namespace tnn::bench::gpu
