#include "tnn/runtime.hpp"

#include "tnn/kernels/machine.hpp"

#include <torch/torch.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#ifdef TNN_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace tnn {

int init_threads(int threads) {
  if (threads <= 0) {
    const char* omp = std::getenv("OMP_NUM_THREADS");
    threads = omp != nullptr ? std::atoi(omp) : 0;
    if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
    if (threads <= 0) threads = 1;
  }
  torch::set_num_threads(threads);
  return threads;
}

void init_allocator() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // the largest glibc accepts; fixes the threshold
  mallopt(M_TRIM_THRESHOLD, 1 << 30);   // don't give freed heap back each step
#endif
}

namespace {

std::string run_command(const std::string& cmd) {
  std::array<char, 512> buf{};
  std::string out;
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) return "";
  while (fgets(buf.data(), buf.size(), pipe.get()) != nullptr) out += buf.data();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// The ISA extensions that matter for the kernels, as /proc/cpuinfo names them.
nlohmann::json isa_flags(const kernels::CpuDescription& cpu) {
  const char* interesting[] = {"avx2",        "fma",         "avx512f",     "avx512bw",
                               "avx512vl",    "avx512_vnni", "avx512_vbmi", "avx512_vpopcntdq",
                               "avx512_bf16", "amx_tile"};
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : cpu.flags)
    for (const char* i : interesting)
      if (f == i) out.push_back(f);
  return out;
}

}  // namespace

nlohmann::json environment_info() {
  nlohmann::json env;
  std::string commit = run_command("git rev-parse HEAD 2>/dev/null");
  env["git_commit"] = commit.empty() ? "unknown" : commit;
  // Committed evidence under results/ does not make the code dirty (runs rewrite it as they go).
  env["git_dirty"] =
      !run_command(
           "git status --porcelain --untracked-files=no -- ':(top,exclude)results' 2>/dev/null")
           .empty();
  const kernels::CpuDescription cpu = kernels::describe_cpu();
  env["cpu_model"] = cpu.model_name;
  env["cpu_isa"] = isa_flags(cpu);
  env["cpu_cores"] = std::thread::hardware_concurrency();
  env["threads"] = torch::get_num_threads();
  env["hostname"] = run_command("hostname 2>/dev/null");
  env["gpu"] =
      torch::cuda::is_available()
          ? run_command("nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1")
          : "none";
  env["cuda_available"] = torch::cuda::is_available();
  env["compiler"] = std::string("g++ ") + __VERSION__;
  env["libtorch"] = TORCH_VERSION;
#ifdef TNN_HAVE_ONEDNN
  const dnnl_version_t* v = dnnl_version();
  env["onednn"] =
      std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
#else
  env["onednn"] = "not built";
#endif
#ifdef TNN_CUDA_VERSION
  env["cuda"] = TNN_CUDA_VERSION;
#endif
  env["os"] = run_command("sh -c '. /etc/os-release && echo $PRETTY_NAME' 2>/dev/null");
  return env;
}

}  // namespace tnn
