// Machine peaks measured in the same run as the kernels, so each machine's tables quote % of a
// roofline measured on that machine (experiments/kernels/rooflines.json stays the fallback):
// FP32 FMA and int8 VNNI throughput, read bandwidth from L3- and DRAM-sized buffers, and (2
// threads) the round trip of a cache line between two cores. Registered only on CPUs with
// AVX-512 (the loops are AVX-512, bench_peak_avx512.cpp).
#include "bench_peak.hpp"
#include "bench_common.hpp"

#include <omp.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <utility>

namespace tnn::kernels::bench {

namespace {

// Two threads pass a counter back and forth `trips` times (one round trip = two cache-line
// transfers). On a VM the two vCPUs may sit on cores that share an L3 or on different dies, and
// the host can move them within seconds: this is the cost every fork/join, barrier and shared
// buffer pays, so 2-thread kernel timings are read next to it (docs/kernels.md).
// Returns false (and measures nothing) when OpenMP did not give it two threads.
bool core_to_core_round_trips(int64_t trips) {
  alignas(64) std::atomic<int64_t> ball{0};
  bool two = false;
#pragma omp parallel num_threads(2)
  if (omp_get_num_threads() == 2) {
    if (omp_get_thread_num() == 0) two = true;
    const int64_t me = omp_get_thread_num();
    for (int64_t i = 0; i < trips; ++i) {
      const int64_t mine = 2 * i + me;  // thread 0 takes even values, thread 1 odd ones
      while (ball.load(std::memory_order_acquire) != mine) {
      }
      ball.store(mine + 1, std::memory_order_release);
    }
  }
  return two;
}

}  // namespace

void register_peak(const Options& o) {
  constexpr int64_t kRoundTrips = 20000;
  for (int t : o.threads) {
    add(bench_name("peak", "fma_f32", "zmm", t), 3, [t](benchmark::State& st) {
      use_threads(t);
      double sink = 0;
      for (auto _ : st) {
#pragma omp parallel reduction(+ : sink)
        sink += peak_fma_loop(1.0f + float(omp_get_thread_num()));
      }
      benchmark::DoNotOptimize(sink);
      const double ops = 2.0 * 16 * kPeakChains * double(kPeakSteps) * t;  // FLOP per iteration
      st.counters["threads"] = t;
      st.counters["flops"] =
          benchmark::Counter(ops * double(st.iterations()), benchmark::Counter::kIsRate);
    });
    add(bench_name("peak", "vnni_s8", "zmm", t), 3, [t](benchmark::State& st) {
      use_threads(t);
      int64_t sink = 0;
      for (auto _ : st) {
#pragma omp parallel reduction(+ : sink)
        sink += peak_vnni_loop(1 + omp_get_thread_num());
      }
      benchmark::DoNotOptimize(sink);
      const double ops = 2.0 * 64 * kPeakChains * double(kPeakSteps) * t;  // int8 OP per iteration
      st.counters["threads"] = t;
      st.counters["flops"] =
          benchmark::Counter(ops * double(st.iterations()), benchmark::Counter::kIsRate);
    });
    for (const auto& [name, mib] : {std::pair<const char*, int64_t>{"l3-8MiB", 8},
                                    std::pair<const char*, int64_t>{"dram-256MiB", 256}}) {
      add(bench_name("peak", "read", name, t), 3, [t, mib = mib](benchmark::State& st) {
        use_threads(t);
        const int64_t n = mib * 1024 * 1024 / 4;
        std::unique_ptr<float, void (*)(void*)> buf(
            static_cast<float*>(std::aligned_alloc(64, size_t(n) * 4)), std::free);
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; ++i) buf.get()[i] = 1.0f;  // first touch by the readers
        double sink = 0;
        for (auto _ : st) {
#pragma omp parallel reduction(+ : sink)
          {
            const int64_t per = n / omp_get_num_threads() / 64 * 64;
            sink += peak_read_sum(buf.get() + per * omp_get_thread_num(), per);
          }
        }
        benchmark::DoNotOptimize(sink);
        st.counters["threads"] = t;
        st.counters["bytes_per_second"] = benchmark::Counter(
            double(n) * 4 * double(st.iterations()), benchmark::Counter::kIsRate);
      });
    }
    if (t == 2)
      add(bench_name("peak", "core_to_core", "round-trip", t), 5, [](benchmark::State& st) {
        if (!core_to_core_round_trips(1))  // a 1-thread team would time nothing
          throw std::runtime_error("OpenMP gave the round-trip probe fewer than 2 threads");
        for (auto _ : st) core_to_core_round_trips(kRoundTrips);
        st.counters["threads"] = 2;
        st.counters["round_trips"] = double(kRoundTrips);
      });
  }
}

}  // namespace tnn::kernels::bench
