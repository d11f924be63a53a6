// Shared pieces of tnn_kernel_bench: naming, thread control, cold-weight rotation, counters.
//
// Names: BM_<op>/<impl>/<shape>[/<variant>]/t<threads>, impl in ref, onednn_f32, onednn_s8,
// ternary_f32, ternary_s8, dense_f32_avx512. Time is wall-clock (UseRealTime) in ms. Every
// benchmark sets counters the table renderer reads: threads, batch, macs (per iteration,
// dense-equivalent), weight_bytes, zero_fraction, and flops / bytes rates.
#pragma once

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace tnn::kernels::bench {

struct Options {
  std::string shapes_dir;
  std::vector<int> threads = {1, 2};
  std::vector<std::string> suites;  // empty = all
  bool quick = false;               // CI smoke: first shape / batch of each suite only
};

std::string bench_name(const std::string& op, const std::string& impl, const std::string& shape,
                       int threads);

// Sets the OpenMP thread count (oneDNN follows it) for the benchmark body.
void use_threads(int threads);

// Registers a benchmark with the suite-wide settings (real time, ms, repetitions).
benchmark::internal::Benchmark* add(const std::string& name, int repetitions,
                                    std::function<void(benchmark::State&)> body);

// Counters every benchmark reports (see the file comment).
void set_counters(benchmark::State& st, int threads, int64_t batch, double macs,
                  double weight_bytes, double zero_fraction);

// How many copies of an object of `bytes` make a rotation of at least `mib` MiB.
int64_t rotation_copies(double bytes, double mib);

// Registration entry points, one per suite (files bench_*.cpp).
void register_gemv(const nlohmann::json& cfg, const Options& o);
void register_conv(const nlohmann::json& cfg, const Options& o);
void register_stack(const nlohmann::json& cfg, const nlohmann::json& layers, const Options& o);
void register_engine(const nlohmann::json& cfg, const Options& o);
void register_peak(const Options& o);  // AVX-512 machines only (bench_peak_avx512.cpp)

}  // namespace tnn::kernels::bench
