// Which machine the kernels run on: the names results/kernels/<slug>.json files are keyed by.
#pragma once

#include <string>
#include <vector>

namespace tnn::kernels {

std::string cpu_model_name();  // /proc/cpuinfo "model name", e.g. "AMD EPYC"
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
