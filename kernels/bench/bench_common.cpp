#include "bench_common.hpp"

#include <omp.h>

#include <cmath>
#include <exception>

namespace tnn::kernels::bench {

std::string bench_name(const std::string& op, const std::string& impl, const std::string& shape,
                       int threads) {
  return "BM_" + op + "/" + impl + "/" + shape + "/t" + std::to_string(threads);
}

void use_threads(int threads) {
  omp_set_num_threads(threads);
}

benchmark::internal::Benchmark* add(const std::string& name, int repetitions,
                                    std::function<void(benchmark::State&)> body) {
  // A failure (e.g. an unsupported shape) skips this benchmark instead of ending the run.
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [body](benchmark::State& st) {
    try {
      body(st);
    } catch (const std::exception& e) {
      st.SkipWithError(e.what());
    }
  });
  b->UseRealTime()->Unit(benchmark::kMillisecond);
  if (repetitions > 1) b->Repetitions(repetitions);
  return b;
}

void set_counters(benchmark::State& st, int threads, int64_t batch, double macs,
                  double weight_bytes, double zero_fraction) {
  using benchmark::Counter;
  const double it = double(st.iterations());
  st.counters["threads"] = threads;
  st.counters["batch"] = double(batch);
  st.counters["macs"] = macs;
  if (weight_bytes > 0) st.counters["weight_bytes"] = weight_bytes;  // 0 would make GB's cv NaN
  st.counters["zero_fraction"] = zero_fraction;
  st.counters["flops"] = Counter(2.0 * macs * it, Counter::kIsRate);
  if (weight_bytes > 0) st.counters["weight_Bps"] = Counter(weight_bytes * it, Counter::kIsRate);
}

int64_t rotation_copies(double bytes, double mib) {
  return std::max<int64_t>(1, int64_t(std::ceil(mib * 1024 * 1024 / bytes)));
}

}  // namespace tnn::kernels::bench
