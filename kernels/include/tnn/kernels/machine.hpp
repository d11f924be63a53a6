// Which machine the kernels run on: the names results/kernels/<slug>.json files are keyed by.
#pragma once

#include <string>
#include <vector>

namespace tnn::kernels {

// The first processor's entry of /proc/cpuinfo: the project's one reader of that file (results'
// "environment", benchmark contexts and machine slugs all come from here).
struct CpuDescription {
  std::string model_name = "unknown";  // "model name", e.g. "AMD EPYC 9R14 96-Core Processor"
  std::string vendor;                  // "vendor_id": AuthenticAMD, GenuineIntel, ...
  int family = -1, model = -1;         // "cpu family", "model"
  std::vector<std::string> flags;      // "flags"
};
CpuDescription describe_cpu();

std::string cpu_model_name();  // describe_cpu().model_name
int cpu_count();               // logical CPUs online
// Short slug from the CPU micro-architecture and core count, e.g. "zen4-2c", "zen3-16c",
// "intel-f6m143-8c"; falls back to the sanitized model name.
std::string machine_slug();

}  // namespace tnn::kernels
