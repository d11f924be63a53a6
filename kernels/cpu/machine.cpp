// Machine identity (slug) and what else it is doing while we time (load, busy processes).
#include "tnn/kernels/machine.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace tnn::kernels {

namespace {

// AMD family 0x19 covers Zen 3 (models 0x00-0x0f, 0x20-0x5f) and Zen 4 (0x10-0x1f, 0x60-0xaf).
std::string amd_uarch(int family, int model) {
  if (family == 0x17) return model >= 0x30 ? "zen2" : "zen";
  if (family == 0x19) return (model < 0x10 || (model >= 0x20 && model < 0x60)) ? "zen3" : "zen4";
  if (family == 0x1a) return "zen5";
  return "f" + std::to_string(family) + "m" + std::to_string(model);
}

// Intel family 6 models (Intel's SDM table of signatures); servers first, then clients.
std::string intel_uarch(int family, int model, int stepping) {
  if (family == 6) {
    switch (model) {
      case 0x3f:
        return "hsx";  // Haswell-EP
      case 0x4f:
      case 0x56:
        return "bdx";  // Broadwell-EP / DE
      case 0x55:
        return stepping >= 10 ? "cpx" : stepping >= 5 ? "clx" : "skx";
      case 0x6a:
      case 0x6c:
        return "icx";  // Ice Lake-SP / D
      case 0x8f:
        return "spr";  // Sapphire Rapids
      case 0xcf:
        return "emr";  // Emerald Rapids
      case 0xad:
      case 0xae:
        return "gnr";  // Granite Rapids
      case 0xaf:
        return "srf";  // Sierra Forest
      case 0x7d:
      case 0x7e:
        return "icl";
      case 0x8c:
      case 0x8d:
        return "tgl";
      case 0x97:
      case 0x9a:
        return "adl";
      case 0xb7:
      case 0xba:
      case 0xbf:
        return "rpl";
      case 0xaa:
        return "mtl";
      default:
        break;
    }
  }
  return "f" + std::to_string(family) + "m" + std::to_string(model);
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
    else if (key == "stepping")
      d.stepping = to_int(value);
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
  if (cpu.vendor == "AuthenticAMD") return "amd-" + amd_uarch(cpu.family, cpu.model) + cores;
  if (cpu.vendor == "GenuineIntel")
    return "intel-" + intel_uarch(cpu.family, cpu.model, cpu.stepping) + cores;
  std::string slug;
  for (char c : cpu.model_name)
    slug += std::isalnum(static_cast<unsigned char>(c)) ? char(std::tolower(c)) : '-';
  return slug + cores;
}

std::string load_average() {
  std::ifstream f("/proc/loadavg");
  double a = 0, b = 0, c = 0;
  if (!(f >> a >> b >> c)) return "unknown";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %.2f %.2f", a, b, c);
  return buf;
}

namespace {

// utime + stime (clock ticks) of every process, by pid, with its command name.
std::map<int, std::pair<std::string, long long>> process_ticks() {
  std::map<int, std::pair<std::string, long long>> out;
  DIR* d = opendir("/proc");
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    const int pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream f(std::string("/proc/") + e->d_name + "/stat");
    std::string line;
    if (!std::getline(f, line)) continue;
    const auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {  // fields 14, 15: utime, stime
      if (i == 14) utime = std::atoll(field.c_str());
      if (i == 15) stime = std::atoll(field.c_str());
    }
    out[pid] = {line.substr(open + 1, close - open - 1), utime + stime};
  }
  closedir(d);
  return out;
}

}  // namespace

std::vector<BusyProcess> busy_processes(double sample_seconds, double min_percent) {
  const auto before = process_ticks();
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(sample_seconds));
  const auto after = process_ticks();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double hz = double(sysconf(_SC_CLK_TCK));
  const int self = int(getpid());
  std::vector<BusyProcess> out;
  for (const auto& [pid, now] : after) {
    if (pid == self) continue;
    const auto it = before.find(pid);
    const long long start = it == before.end() ? now.second : it->second.second;
    const double percent = 100.0 * double(now.second - start) / hz / wall;
    if (percent >= min_percent) out.push_back({pid, now.first, percent});
  }
  std::sort(out.begin(), out.end(),
            [](const BusyProcess& a, const BusyProcess& b) { return a.percent > b.percent; });
  return out;
}

std::string describe_busy(const std::vector<BusyProcess>& busy) {
  std::string s;
  for (const auto& p : busy) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s%s (pid %d) %.0f%%", s.empty() ? "" : ", ", p.name.c_str(),
                  p.pid, p.percent);
    s += buf;
  }
  return s.empty() ? "none" : s;
}

}  // namespace tnn::kernels
