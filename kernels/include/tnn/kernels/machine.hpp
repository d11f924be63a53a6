// Which machine the kernels run on: the names results/kernels/<slug>.json files are keyed by.
#pragma once

#include <string>

namespace tnn::kernels {

std::string cpu_model_name();  // /proc/cpuinfo "model name", e.g. "AMD EPYC"
int cpu_count();               // logical CPUs online
// Short slug from the CPU micro-architecture and core count, e.g. "zen4-2c", "zen3-16c",
// "intel-f6m143-8c"; falls back to the sanitized model name.
std::string machine_slug();

}  // namespace tnn::kernels
