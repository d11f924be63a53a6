// tnn_kernel_bench: Google Benchmark suites over the operation registry (ops.hpp): every
// registered implementation of the suite's ops, references and baselines included, each checked
// once against its reference before it is timed. Shape sets come from experiments/kernels/*.json
// (files with a "suite" field: gemv, conv, stack, engine), plus "peak" (this machine's FMA, VNNI
// and read-bandwidth peaks, for the roofline columns). Extra flags (before --benchmark_*):
//   --shapes-dir=DIR   where the shape sets live (default: the source tree's)
//   --suite=a,b        only these suites          --threads=1,2   OpenMP thread counts
//   --quick            first shape of each suite (CI smoke)
//   --commit=SHA       recorded in the JSON context --machine-slug  print the slug and exit
//   --machine-load     print the load average and the busy processes, and exit
// The JSON context records the machine slug, the load average and the other busy processes
// sampled before timing (the benchmark never pauses or signals other processes).
#include "bench_common.hpp"

#include "tnn/kernels/isa.hpp"
#include "tnn/kernels/machine.hpp"
#ifdef TNN_HAVE_ONEDNN
#include "tnn/kernels/onednn.hpp"
#endif

#include <omp.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace fs = std::filesystem;
using namespace tnn::kernels;
using namespace tnn::kernels::bench;

namespace {

nlohmann::json load(const fs::path& p) {
  std::ifstream f(p);
  if (!f) throw std::runtime_error("cannot read " + p.string());
  return nlohmann::json::parse(f);
}

std::vector<int> parse_ints(const std::string& s) {
  std::vector<int> v;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) v.push_back(std::stoi(item));
  return v;
}

// About a second of FMA on every thread: the cores leave their idle clock before timing.
void warm_up(int threads) {
  omp_set_num_threads(threads);
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(1000);
  double sink = 0;
#pragma omp parallel reduction(+ : sink)
  {
    double a = 1.0;
    while (std::chrono::steady_clock::now() < end)
      for (int i = 0; i < 100000; ++i) a = a * 0.9999999 + 1e-9;
    sink += a;
  }
  benchmark::DoNotOptimize(sink);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  o.shapes_dir = TNN_SOURCE_DIR "/experiments/kernels";
  std::string commit = std::getenv("TNN_GIT_COMMIT") ? std::getenv("TNN_GIT_COMMIT") : "unknown";
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* flag) -> const char* {
      const size_t n = std::strlen(flag);
      return a.compare(0, n, flag) == 0 ? argv[i] + n : nullptr;
    };
    if (const char* v = value("--shapes-dir="))
      o.shapes_dir = v;
    else if (const char* v = value("--threads="))
      o.threads = parse_ints(v);
    else if (const char* v = value("--commit="))
      commit = v;
    else if (const char* v = value("--suite=")) {
      std::stringstream ss(v);
      for (std::string s; std::getline(ss, s, ',');) o.suites.push_back(s);
    } else if (a == "--quick")
      o.quick = true;
    else if (a == "--machine-slug") {
      std::cout << machine_slug() << "\n";
      return 0;
    } else if (a == "--machine-load") {
      std::cout << "load average " << load_average()
                << "; busy: " << describe_busy(busy_processes()) << "\n";
      return 0;
    } else
      rest.push_back(argv[i]);
  }
  int rest_argc = int(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 1;

  try {
    // Suites in a fixed order: the headline ones first.
    const std::vector<std::string> order = {"gemv", "stack", "engine", "conv"};
    std::vector<std::pair<std::string, fs::path>> files;
    for (const auto& e : fs::directory_iterator(o.shapes_dir))
      if (e.path().extension() == ".json") {
        const auto j = load(e.path());
        if (j.contains("suite")) files.push_back({j["suite"].get<std::string>(), e.path()});
      }
    std::sort(files.begin(), files.end(), [&](const auto& a, const auto& b) {
      const auto ia = std::find(order.begin(), order.end(), a.first) - order.begin();
      const auto ib = std::find(order.begin(), order.end(), b.first) - order.begin();
      return ia != ib ? ia < ib : a.second.filename().string() > b.second.filename().string();
    });
    // The machine's peaks first (same run, same conditions as the kernels).
    const bool want_peak =
        o.suites.empty() || std::find(o.suites.begin(), o.suites.end(), "peak") != o.suites.end();
    if (want_peak && isa_supported(Isa::kAvx512)) register_peak(o);
    for (const auto& [suite, path] : files) {
      if (!o.suites.empty() && std::find(o.suites.begin(), o.suites.end(), suite) == o.suites.end())
        continue;
      const auto cfg = load(path);
      if (suite == "gemv")
        register_gemv(cfg, o);
      else if (suite == "conv")
        register_conv(cfg, o);
      else if (suite == "stack")
        register_stack(cfg,
                       cfg.contains("layers")
                           ? cfg
                           : load(path.parent_path() / cfg.at("layers_from").get<std::string>()),
                       o);
      else if (suite == "engine")
        register_engine(cfg, o);
    }

    const std::string slug = machine_slug();
    benchmark::AddCustomContext("tnn_machine", slug);
    benchmark::AddCustomContext("tnn_load_average", load_average());
    benchmark::AddCustomContext("tnn_busy_processes", describe_busy(busy_processes(1.0)));
    benchmark::AddCustomContext("tnn_cpu", cpu_model_name());
    std::string isas;
    for (Isa i : supported_isas()) isas += std::string(isas.empty() ? "" : ", ") + isa_name(i);
    benchmark::AddCustomContext(
        "tnn_isa", std::string(isa_name(resolve_isa(Isa::kAuto))) + " (supported: " + isas + ")");
    std::string threads;
    for (int t : o.threads) threads += (threads.empty() ? "" : ",") + std::to_string(t);
    benchmark::AddCustomContext("tnn_threads", threads + " (OpenMP; oneDNN shares the runtime)");
    benchmark::AddCustomContext("tnn_commit", commit);
#ifdef TNN_HAVE_ONEDNN
    benchmark::AddCustomContext("tnn_onednn",
                                onednn::version() + " (" + onednn::effective_isa() + ")");
#else
    benchmark::AddCustomContext("tnn_onednn", "not built");
#endif
    const fs::path roof = fs::path(o.shapes_dir) / "rooflines.json";
    if (fs::exists(roof)) {
      const auto r = load(roof);
      if (r.contains("machines") && r["machines"].contains(slug))
        benchmark::AddCustomContext("tnn_roofline", r["machines"][slug].dump());
    }
    const fs::path targets = fs::path(o.shapes_dir) / "targets.json";
    if (fs::exists(targets))
      benchmark::AddCustomContext("tnn_targets", load(targets).at("targets").dump());
  } catch (const std::exception& e) {
    std::cerr << "tnn_kernel_bench: " << e.what() << "\n";
    return 1;
  }
  warm_up(*std::max_element(o.threads.begin(), o.threads.end()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
