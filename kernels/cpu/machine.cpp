#include "tnn/kernels/machine.hpp"

#include <unistd.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace tnn::kernels {

namespace {

// AMD family 0x19 covers Zen 3 (models 0x00-0x0f, 0x20-0x5f) and Zen 4 (0x10-0x1f, 0x60-0xaf).
std::string amd_uarch(int family, int model) {
  if (family == 0x17) return model >= 0x30 ? "zen2" : "zen";
  if (family == 0x19) return (model < 0x10 || (model >= 0x20 && model < 0x60)) ? "zen3" : "zen4";
  if (family == 0x1a) return "zen5";
  return "amd-f" + std::to_string(family) + "m" + std::to_string(model);
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

int to_int(const std::string& s) {
  try {
    return std::stoi(s);
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

CpuDescription describe_cpu() {
  CpuDescription d;
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty()) break;  // first processor only
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (key == "model name")
      d.model_name = value;
    else if (key == "vendor_id")
      d.vendor = value;
    else if (key == "cpu family")
      d.family = to_int(value);
    else if (key == "model")
      d.model = to_int(value);
    else if (key == "flags") {
      std::istringstream words(value);
      for (std::string w; words >> w;) d.flags.push_back(w);
    }
  }
  return d;
}

std::string cpu_model_name() {
  return describe_cpu().model_name;
}

int cpu_count() {
  // Online CPUs, not this thread's affinity: with OMP_PROC_BIND set, libgomp pins the main
  // thread to one CPU at start-up.
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? int(n) : int(std::thread::hardware_concurrency());
}

std::string machine_slug() {
  const CpuDescription cpu = describe_cpu();
  const std::string cores = "-" + std::to_string(cpu_count()) + "c";
  if (cpu.vendor == "AuthenticAMD") return amd_uarch(cpu.family, cpu.model) + cores;
  if (cpu.vendor == "GenuineIntel")
    return "intel-f" + std::to_string(cpu.family) + "m" + std::to_string(cpu.model) + cores;
  std::string slug;
  for (char c : cpu.model_name)
    slug += std::isalnum(static_cast<unsigned char>(c)) ? char(std::tolower(c)) : '-';
  return slug + cores;
}

}  // namespace tnn::kernels
