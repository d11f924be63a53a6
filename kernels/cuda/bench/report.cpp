#include "report.hpp"

#include "cublas_gemm.hpp"
#include "cudnn_conv.hpp"

#include <cuda_runtime_api.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>

namespace tnn::bench::gpu {

std::string Entry::name() const {
  return "BM_" + op + "/" + impl + "/" + shape + (suffix.empty() ? "" : "/" + suffix);
}

namespace {
std::string version_str(int v) {  // CUDA's 13000 -> "13.0"
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}
}  // namespace

std::string gpu_slug() {
  cudaDeviceProp p{};
  if (cudaGetDeviceProperties(&p, 0) != cudaSuccess) return "no-gpu";
  std::string n = p.name;  // e.g. "NVIDIA H100 80GB HBM3", "NVIDIA H200"
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* chip : {"gh200", "h100", "h200", "a100", "l40s", "b200"})
    if (n.find(chip) != std::string::npos) {
      std::string slug = chip;
      if (n.find("hbm3") != std::string::npos || n.find("sxm") != std::string::npos) {
        if (slug == "h100") slug += "-sxm";
      } else if (n.find("pcie") != std::string::npos) {
        slug += "-pcie";
      }
      return slug;
    }
  std::string slug;
  for (char c : n) slug += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return slug;
}

nlohmann::json make_context(const std::string& argv0, const std::string& timing) {
  nlohmann::json c;
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  char date[64] = {};
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S%z", std::localtime(&now));
  c["date"] = date;
  c["host_name"] = host;
  c["executable"] = argv0;
  c["num_cpus"] = std::thread::hardware_concurrency();
#ifdef NDEBUG
  c["library_build_type"] = "release";
#else
  c["library_build_type"] = "debug";
#endif
  int rt = 0, drv = 0;
  cudaRuntimeGetVersion(&rt);
  cudaDriverGetVersion(&drv);
  c["cuda_runtime"] = version_str(rt);
  c["cuda_driver"] = version_str(drv);
  c["cublas"] = kernels::cuda::baselines::CublasGemm::version();
  c["cudnn"] = kernels::cuda::baselines::CudnnConv3x3::version();
  cudaDeviceProp p{};
  if (cudaGetDeviceProperties(&p, 0) == cudaSuccess) {
    int clock_khz = 0, mem_clock_khz = 0;
    cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, 0);
    cudaDeviceGetAttribute(&mem_clock_khz, cudaDevAttrMemoryClockRate, 0);
    c["gpu"] = {{"name", p.name},
                {"slug", gpu_slug()},
                {"compute_capability", std::to_string(p.major) + "." + std::to_string(p.minor)},
                {"multiprocessors", p.multiProcessorCount},
                {"l2_bytes", p.l2CacheSize},
                {"memory_bytes", p.totalGlobalMem},
                {"memory_bus_bits", p.memoryBusWidth},
                {"max_sm_clock_mhz", clock_khz / 1000},
                {"max_memory_clock_mhz", mem_clock_khz / 1000}};
  }
  const char* tf32 = std::getenv("NVIDIA_TF32_OVERRIDE");
  c["NVIDIA_TF32_OVERRIDE"] = tf32 ? tf32 : "";
  c["timing"] = timing;
  c["inputs"] =
      "activations q/64 with q uniform in [-64, 64] (int8: q, x_scale 1/64), ternary codes with "
      "the shapes file's zero_fraction of zeros, power-of-two per-channel scales: the exact result "
      "is an FP32 number, computed by a plain reference kernel summing in double; ours must match "
      "it bit for bit (after one FP16 rounding for FP16 outputs), baselines are recorded against "
      "their math mode's bound (check, max_rel_diff, check_bound_rel)";
  return c;
}

nlohmann::json to_json(const Entry& e) {
  const double t_s = e.stats.median_us * 1e-6;
  nlohmann::json j = {{"name", e.name()},
                      {"run_name", e.name()},
                      {"run_type", "iteration"},
                      {"repetitions", 1},
                      {"repetition_index", 0},
                      {"threads", 1},
                      {"iterations", e.stats.reps},
                      {"real_time", e.stats.median_us},
                      {"cpu_time", e.stats.median_us},
                      {"time_unit", "us"},
                      {"min_time_us", e.stats.min_us},
                      {"median_time_us", e.stats.median_us},
                      {"mean_time_us", e.stats.mean_us},
                      {"op", e.op},
                      {"impl", e.impl},
                      {"shape", e.shape},
                      {"bytes", e.bytes},
                      {"flops", e.flops}};
  if (t_s > 0) {
    j["bytes_per_second"] = e.bytes / t_s;
    j["gbps"] = e.bytes / t_s * 1e-9;
    j["tflops"] = e.flops / t_s * 1e-12;
  }
  for (auto it = e.extra.begin(); it != e.extra.end(); ++it) j[it.key()] = it.value();
  return j;
}

namespace {
// "exact", "close", "MISMATCH", "DIFFERS", "unchecked" or "error" for one entry.
std::string outcome(const Entry& e) {
  if (e.extra.contains("error_occurred")) return "error";
  return e.extra.value("check", "unchecked");
}
}  // namespace

nlohmann::json check_summary(const std::vector<Entry>& entries) {
  nlohmann::json s = nlohmann::json::object();
  for (const auto& e : entries) {
    nlohmann::json& i = s[e.impl];
    if (i.is_null()) {
      i = {{"role", role_of(e.impl) == Role::ours ? "ours" : "baseline"}, {"max_rel_diff", 0.0}};
      for (const char* k :
           {"exact", "close", "MISMATCH", "DIFFERS", "unchecked", "error", "warm_error"})
        i[k] = 0;
      if (role_of(e.impl) == Role::baseline) i["check_bound_rel"] = baseline_bound(e.impl);
    }
    // A warm entry (CUDA-graph replays) repeats its cold entry's check; only its own failure
    // (capture or replay) is counted.
    if (e.suffix != "cold") {
      if (e.extra.contains("error_occurred")) i["warm_error"] = i["warm_error"].get<int>() + 1;
      continue;
    }
    i[outcome(e)] = i[outcome(e)].get<int>() + 1;
    if (e.extra.contains("max_rel_diff"))
      i["max_rel_diff"] =
          std::max(i["max_rel_diff"].get<double>(), e.extra["max_rel_diff"].get<double>());
    if (e.extra.contains("math")) {
      auto& maths = i["math"];
      if (maths.is_null()) maths = nlohmann::json::array();
      const auto m = e.extra["math"];
      if (std::find(maths.begin(), maths.end(), m) == maths.end()) maths.push_back(m);
    }
  }
  return s;
}

int count_failures_of_ours(const nlohmann::json& summary) {
  int n = 0;
  for (const auto& [impl, i] : summary.items())
    if (i["role"] == "ours")
      n += i["MISMATCH"].get<int>() + i["error"].get<int>() + i["warm_error"].get<int>();
  return n;
}

void print_check_summary(const nlohmann::json& summary) {
  for (const auto& [impl, i] : summary.items()) {
    std::printf(
        "summary: %-17s %-8s %3d exact %3d close %3d MISMATCH %3d DIFFERS %3d unchecked "
        "%3d error %3d warm error, max rel diff %.3g",
        impl.c_str(), i["role"].get<std::string>().c_str(), i["exact"].get<int>(),
        i["close"].get<int>(), i["MISMATCH"].get<int>(), i["DIFFERS"].get<int>(),
        i["unchecked"].get<int>(), i["error"].get<int>(), i["warm_error"].get<int>(),
        i["max_rel_diff"].get<double>());
    if (i.contains("check_bound_rel"))
      std::printf(" (bound %.3g)", i["check_bound_rel"].get<double>());
    std::printf("\n");
  }
}

}  // namespace tnn::bench::gpu
