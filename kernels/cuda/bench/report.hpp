// Benchmark results as Google Benchmark JSON ("context" + "benchmarks", each with name,
// real_time, cpu_time, time_unit, iterations, plus counters), so GPU and CPU runs land in one
// table. real_time = cpu_time = the median GPU time per call (events measure GPU time only).
#pragma once

#include "check_result.hpp"
#include "timer.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace tnn::bench::gpu {

struct Entry {
  std::string op, impl, shape, suffix;  // name = BM_<op>/<impl>/<shape>/<suffix: cold|warm>
  Stats stats;
  double bytes = 0;  // fewest bytes the call must move (inputs once, output once)
  double flops = 0;  // 2 * MACs
  nlohmann::json extra = nlohmann::json::object();  // algo, math, workspace, check, ...
  std::string name() const;
};

// Device, driver, library versions, timing method; `argv0` as Google Benchmark's "executable".
nlohmann::json make_context(const std::string& argv0, const std::string& timing);
nlohmann::json to_json(const Entry& e);

// "h100-sxm", "h200", ... from the device name: the results file's name.
std::string gpu_slug();

// Per implementation over all cold entries: how many checks came out exact / close / MISMATCH /
// DIFFERS / unchecked / error, the largest relative difference and the math modes seen; and how
// many warm (CUDA-graph) entries failed, as warm_error.
nlohmann::json check_summary(const std::vector<Entry>& entries);
// MISMATCH + error + warm_error entries of our kernels: what makes the benchmark fail.
int count_failures_of_ours(const nlohmann::json& summary);
// One "summary: ..." line per implementation (ci/gpu-check.sh copies them into its summary).
void print_check_summary(const nlohmann::json& summary);

}  // namespace tnn::bench::gpu
