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
  int stepping = -1;                   // "stepping" (tells Cascade Lake from Skylake-SP)
  std::vector<std::string> flags;      // "flags"
};
CpuDescription describe_cpu();

std::string cpu_model_name();  // describe_cpu().model_name
int cpu_count();               // logical CPUs online
// Vendor, micro-architecture and logical CPU count, e.g. "amd-zen4-2c", "intel-icx-2c",
// "intel-emr-2c"; unknown models keep their CPUID family and model ("intel-f6m183-8c"); other
// vendors fall back to the sanitized model name. results/kernels/<slug>.json is keyed by it.
std::string machine_slug();

// What else the machine was doing, for the context of a timing result: the load average
// ("1.02 0.98 0.75") and the processes that used at least min_percent of one CPU over a short
// sample (never signalled: a benchmark only observes them).
std::string load_average();
struct BusyProcess {
  int pid;
  std::string name;
  double percent;  // of one CPU
};
std::vector<BusyProcess> busy_processes(double sample_seconds = 0.5, double min_percent = 5.0);
std::string describe_busy(const std::vector<BusyProcess>& busy);  // "name (pid 12) 98%, ..."

}  // namespace tnn::kernels
