#include "runner.hpp"

#include "check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>

namespace tnn::bench::gpu {

using kernels::cuda::check_cuda;

std::vector<float> download(const float* y, size_t n) {
  std::vector<float> h(n);
  check_cuda(cudaMemcpy(h.data(), y, n * sizeof(float), cudaMemcpyDeviceToHost), "download");
  return h;
}

std::vector<float> download(const __half* y, size_t n) {
  std::vector<__half> h(n);
  check_cuda(cudaMemcpy(h.data(), y, n * sizeof(__half), cudaMemcpyDeviceToHost), "download");
  std::vector<float> f(n);
  std::transform(h.begin(), h.end(), f.begin(), [](__half v) { return __half2float(v); });
  return f;
}

void record_check(Entry& e, const std::vector<float>& y, const std::vector<float>& ref) {
  double diff = 0, top = 0;
  bool nan = false;
  for (size_t i = 0; i < y.size(); ++i) {
    nan = nan || std::isnan(y[i]);
    diff = std::max(diff, double(std::fabs(y[i] - ref[i])));
    top = std::max(top, double(std::fabs(ref[i])));
  }
  e.extra["max_abs_diff"] = diff;
  e.extra["max_abs_ref"] = top;
  e.extra["check"] = nan || diff > 1e-3 * top ? "MISMATCH" : diff == 0 ? "exact" : "close";
}

namespace {
void record_error(Entry& e, const std::exception& ex) {
  cudaGetLastError();  // clear a non-sticky launch error so later cases still run
  std::printf("%-58s ERROR %s\n", e.name().c_str(), ex.what());
  e.extra["error_occurred"] = true;
  e.extra["error_message"] = ex.what();
}
}  // namespace

void Runner::measure(Entry e, const Op& op, const std::function<void(Entry&)>& before,
                     const std::function<void(Entry&)>& check) {
  if (!wants(e)) return;
  try {
    before(e);
    e.stats = timer.cold(op);
    check(e);  // the output of the last timed call
    e.extra["l2"] = "flushed";
    std::printf("%-58s %10.2f us %9.1f GB/s %8.2f TFLOP/s  %s\n", e.name().c_str(),
                e.stats.median_us, e.bytes / e.stats.median_us * 1e-3,
                e.flops / e.stats.median_us * 1e-6, e.extra["check"].get<std::string>().c_str());
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
