#include "progress.hpp"

#include <unistd.h>
#include <cstdio>
#include <iostream>

namespace tnn {

Progress::Progress(const std::string& log_path, bool live, std::string run_name)
    : enabled_(!log_path.empty()),
      live_(enabled_ && live && ::isatty(STDERR_FILENO)),
      name_(std::move(run_name)) {
  if (enabled_) log_.open(log_path, std::ios::app);
}

void Progress::log(const nlohmann::json& record) {
  if (!enabled_) return;
  log_ << record.dump() << "\n";
  log_.flush();
}

std::string Progress::format_duration(double s) {
  if (s < 0) return "?";
  char buf[32];
  int h = int(s / 3600), m = int(s / 60) % 60, sec = int(s) % 60;
  if (h > 0)
    std::snprintf(buf, sizeof buf, "%dh%02dm", h, m);
  else
    std::snprintf(buf, sizeof buf, "%dm%02ds", m, sec);
  return buf;
}

nlohmann::json Progress::segments(const std::string& log_path) {
  nlohmann::json out = nlohmann::json::array();
  std::ifstream in(log_path);
  for (std::string line; std::getline(in, line);) {
    const auto e = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!e.is_object()) continue;  // a line cut by a kill: skip it
    const std::string event = e.value("event", "");
    if (event != "start" && event != "resume") continue;
    if (event == "start") out.clear();  // an earlier start left no checkpoint
    out.push_back(
        {{"from_epoch", e.value("epoch", 0)},
         {"git_commit", e.value("git_commit", std::string("unknown"))},
         {"git_dirty", e.contains("git_dirty") ? e["git_dirty"] : nlohmann::json("unknown")},
         {"hostname", e.value("hostname", std::string("unknown"))},
         {"threads", e.value("threads", 0)},
         {"device", e.value("device", std::string("unknown"))}});
  }
  return out;
}

void Progress::step(int epoch, int epochs, int step, int steps, double loss, double acc,
                    double rate, double eta) {
  if (!live_) return;
  auto now = std::chrono::steady_clock::now();
  if (step != steps && now - last_draw_ < std::chrono::milliseconds(250)) return;
  last_draw_ = now;
  std::fprintf(stderr, "\r%s epoch %d/%d step %d/%d loss %.4f acc %.2f%% %.0f img/s ETA %s   ",
               name_.c_str(), epoch, epochs, step, steps, loss, acc, rate,
               format_duration(eta).c_str());
  std::fflush(stderr);
}

void Progress::epoch_line(const std::string& text) {
  if (!enabled_) return;
  if (live_) std::fprintf(stderr, "\r\033[K");
  std::cout << text << std::endl;
}

}  // namespace tnn
