#include "tnn/kernels/machine.hpp"

#include <unistd.h>

#include <cctype>
#include <fstream>
#include <map>
#include <string>
#include <thread>

namespace tnn::kernels {

namespace {

std::map<std::string, std::string> cpuinfo_first_block() {
  std::map<std::string, std::string> kv;
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty()) break;  // first processor only
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto trim = [](std::string s) {
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
      size_t i = 0;
      while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
      return s.substr(i);
    };
    kv[trim(line.substr(0, colon))] = trim(line.substr(colon + 1));
  }
  return kv;
}

// AMD family 0x19 covers Zen 3 (models 0x00-0x0f, 0x20-0x5f) and Zen 4 (0x10-0x1f, 0x60-0xaf).
std::string amd_uarch(int family, int model) {
  if (family == 0x17) return model >= 0x30 ? "zen2" : "zen";
  if (family == 0x19) return (model < 0x10 || (model >= 0x20 && model < 0x60)) ? "zen3" : "zen4";
  if (family == 0x1a) return "zen5";
  return "amd-f" + std::to_string(family) + "m" + std::to_string(model);
}

}  // namespace

std::string cpu_model_name() {
  const auto kv = cpuinfo_first_block();
  const auto it = kv.find("model name");
  return it == kv.end() ? "unknown" : it->second;
}

int cpu_count() {
  // Online CPUs, not this thread's affinity: with OMP_PROC_BIND set, libgomp pins the main
  // thread to one CPU at start-up.
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? int(n) : int(std::thread::hardware_concurrency());
}

std::string machine_slug() {
  const auto kv = cpuinfo_first_block();
  const std::string cores = "-" + std::to_string(cpu_count()) + "c";
  auto num = [&](const char* key) {
    const auto it = kv.find(key);
    return it == kv.end() ? -1 : std::stoi(it->second);
  };
  const auto vendor = kv.count("vendor_id") ? kv.at("vendor_id") : "";
  if (vendor == "AuthenticAMD") return amd_uarch(num("cpu family"), num("model")) + cores;
  if (vendor == "GenuineIntel")
    return "intel-f" + std::to_string(num("cpu family")) + "m" + std::to_string(num("model")) +
           cores;
  std::string slug;
  for (char c : cpu_model_name())
    slug += std::isalnum(static_cast<unsigned char>(c)) ? char(std::tolower(c)) : '-';
  return slug + cores;
}

}  // namespace tnn::kernels
