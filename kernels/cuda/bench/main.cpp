// tnn_cuda_bench: ternary CUDA kernels vs cuBLAS / cuDNN on the shapes of
// experiments/kernels/gpu.json, written as Google Benchmark JSON (see docs/gpu.md).
// Exit status: 0 ok, 1 usage or set-up error, 2 one of OUR kernels disagreed with the exact
// reference or failed to run (baselines' differences and failures are recorded, never fatal),
// 77 no CUDA device.
#include "cases.hpp"
#include "check.hpp"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <regex>
#include <string>

#ifndef TNN_SOURCE_DIR
#define TNN_SOURCE_DIR "."
#endif

namespace g = tnn::bench::gpu;

namespace {

const char* kUsage =
    "usage: tnn_cuda_bench [--out FILE | --out-dir DIR] [--shapes FILE] [--filter REGEX]\n"
    "                      [--min-time S]"
    " [--min-reps N] [--max-reps N] [--flush-mb N] [--graph]\n"
    "                      [--cudnn-exhaustive] [--list]\n"
    "  --out FILE         Google Benchmark JSON (default: none, table only)\n"
    "  --out-dir DIR      write DIR/<gpu-slug>.json, e.g. DIR/h100-sxm.json\n"
    "  --shapes FILE      default " TNN_SOURCE_DIR
    "/experiments/kernels/gpu.json\n"
    "  --filter REGEX     run benchmarks whose name matches (std::regex search)\n"
    "  --min-time S       GPU seconds per benchmark (default 0.2)\n"
    "  --flush-mb N       L2 flush buffer (default max(256, 4 x L2))\n"
    "  --graph            also time CUDA-graph replays without flush (\"/warm\", L2 hot)\n"
    "  --cudnn-exhaustive cudnnFindConvolutionForwardAlgorithm instead of the v7 heuristics\n"
    "  --list             print the benchmark names and exit\n"
    "  --help             this text\n";

struct Args {
  std::string out, out_dir, shapes = TNN_SOURCE_DIR "/experiments/kernels/gpu.json", filter = ".";
  g::TimingOptions timing;
  long flush_mb = 0;
  bool graph = false, exhaustive = false, list = false, help = false;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(k + " needs a value");
      return argv[++i];
    };
    if (k == "--out")
      a.out = value();
    else if (k == "--out-dir")
      a.out_dir = value();
    else if (k == "--shapes")
      a.shapes = value();
    else if (k == "--filter")
      a.filter = value();
    else if (k == "--min-time")
      a.timing.min_time_s = std::stod(value());
    else if (k == "--min-reps")
      a.timing.min_reps = std::stoi(value());
    else if (k == "--max-reps")
      a.timing.max_reps = std::stoi(value());
    else if (k == "--flush-mb")
      a.flush_mb = std::stol(value());
    else if (k == "--graph")
      a.graph = true;
    else if (k == "--cudnn-exhaustive")
      a.exhaustive = true;
    else if (k == "--list")
      a.list = true;
    else if (k == "--help" || k == "-h")
      a.help = true;
    else
      throw std::invalid_argument("unknown option " + k);
  }
  // The timer sizes its event arrays by max_reps and clamps the repetitions to [min, max].
  if (a.timing.min_reps < 1 || a.timing.max_reps < a.timing.min_reps)
    throw std::invalid_argument("--min-reps " + std::to_string(a.timing.min_reps) +
                                " / --max-reps " + std::to_string(a.timing.max_reps) +
                                ": expected 1 <= min-reps <= max-reps");
  if (!(a.timing.min_time_s >= 0)) throw std::invalid_argument("--min-time: expected seconds >= 0");
  if (a.flush_mb < 0) throw std::invalid_argument("--flush-mb: expected MB >= 0");
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  g::Shapes shapes;
  try {
    args = parse(argc, argv);
    shapes = g::load_shapes(args.shapes);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tnn_cuda_bench: %s\n%s", e.what(), kUsage);
    return 1;
  }
  if (args.help) {
    std::printf("%s", kUsage);
    return 0;
  }
  const std::regex filter(args.filter);
  if (args.list) {
    const char* gemm_impls[] = {"cublas_f32",   "cublas_tf32",      "cublas_f16",
                                "cuda_ternary", "cuda_ternary_f16", "cuda_ternary_s8"};
    const char* conv_impls[] = {"cudnn_f32",    "cudnn_tf32",       "cudnn_f16",
                                "cuda_ternary", "cuda_ternary_f16", "cuda_ternary_s8"};
    auto show = [&](const std::string& n) {
      for (const char* v : {"/cold", "/warm"})
        if (std::regex_search(n + v, filter)) std::printf("%s%s\n", n.c_str(), v);
    };
    for (const auto& s : shapes.gemv)
      for (auto i : gemm_impls) show(std::string("BM_gemv/") + i + "/" + s.str());
    for (const auto& s : shapes.gemm)
      for (auto i : gemm_impls) show(std::string("BM_gemm/") + i + "/" + s.str());
    for (const auto& l : shapes.conv)
      for (auto i : conv_impls) show(std::string("BM_conv/") + i + "/" + l.str());
    return 0;
  }

  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::fprintf(stderr, "tnn_cuda_bench: no CUDA device\n");
    return 77;
  }
  std::vector<g::Entry> entries;
  try {
    cudaDeviceProp p{};
    tnn::kernels::cuda::check_cuda(cudaGetDeviceProperties(&p, 0), "cudaGetDeviceProperties");
    const size_t l2x4 = size_t(p.l2CacheSize) * 4;
    args.timing.flush_bytes =
        args.flush_mb > 0 ? size_t(args.flush_mb) << 20 : std::max(size_t(256) << 20, l2x4);
    cudaStream_t stream = nullptr;
    tnn::kernels::cuda::check_cuda(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking),
                                   "cudaStreamCreate");
    g::Timer timer(stream, args.timing);
    const auto wanted = [&](const std::string& name) { return std::regex_search(name, filter); };
    g::Runner runner{timer, stream, wanted, args.graph, args.exhaustive, entries};
    std::printf("%s: %s, %d SMs, L2 %d MB\n%s\n", p.name, g::gpu_slug().c_str(),
                p.multiProcessorCount, p.l2CacheSize >> 20, timer.describe().c_str());
    if (!args.out_dir.empty()) args.out = args.out_dir + "/" + g::gpu_slug() + ".json";
    const nlohmann::json context = g::make_context(argv[0], timer.describe());
    // The results file is rewritten after every shape, so a run cut off by a time box keeps
    // what it measured (ci/gpu-check.sh boxes the benchmark).
    const auto save = [&](bool complete) {
      if (args.out.empty()) return;
      nlohmann::json doc;
      doc["context"] = context;
      doc["context"]["complete"] = complete;
      doc["checks"] = g::check_summary(entries);
      doc["benchmarks"] = nlohmann::json::array();
      for (const auto& e : entries) doc["benchmarks"].push_back(g::to_json(e));
      const std::string tmp = args.out + ".tmp";  // written whole, then renamed into place
      {
        std::ofstream f(tmp);
        f << doc.dump(2) << "\n";
        if (!f.flush()) throw std::runtime_error("cannot write " + tmp);
      }
      if (std::rename(tmp.c_str(), args.out.c_str()) != 0)
        throw std::runtime_error("cannot rename " + tmp + " to " + args.out);
    };
    for (const auto& s : shapes.gemv) {
      g::run_gemm_case(runner, "gemv", s, shapes.zero_frac);
      save(false);
    }
    for (const auto& s : shapes.gemm) {
      g::run_gemm_case(runner, "gemm", s, shapes.zero_frac);
      save(false);
    }
    for (const auto& l : shapes.conv) {
      g::run_conv_case(runner, l, shapes.zero_frac);
      save(false);
    }
    save(true);
    if (!args.out.empty())
      std::printf("wrote %zu results to %s\n", entries.size(), args.out.c_str());
    cudaStreamDestroy(stream);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tnn_cuda_bench: %s\n", e.what());
    return 1;
  }
  const nlohmann::json summary = g::check_summary(entries);
  g::print_check_summary(summary);
  const int failures = g::count_failures_of_ours(summary);
  int unchecked = 0;
  for (const auto& [impl, i] : summary.items())
    if (i["role"] == "ours") unchecked += i["unchecked"].get<int>();
  std::printf("summary: %zu results; our kernels: %d MISMATCH or error, %d unchecked -> %s\n",
              entries.size(), failures, unchecked, failures > 0 ? "FAIL" : "ok");
  return failures > 0 ? 2 : 0;
}
