// Progress output of a run: a live line on a TTY (epoch, step, loss, accuracy, img/s, ETA), one
// line per epoch otherwise, and JSON lines in log.jsonl always.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <string>

namespace tnn {

// Seconds per epoch for the ETA, from this call's work only: a resumed run's history may come
// from another machine or from a time when the cores were shared. An epoch resumed mid-way
// counts as the share of its steps that ran here (its evaluation as a whole one), so the first
// epoch after a mid-epoch resume does not make the rest of the run look short.
class EpochCost {
 public:
  void add(double step_share, double train_seconds, double eval_seconds) {
    train_seconds_ += train_seconds;
    step_share_ += step_share;
    eval_seconds_ += eval_seconds;
    ++evals_;
  }
  // < 0 until an epoch has ended in this call.
  double seconds_per_epoch() const {
    if (evals_ == 0 || step_share_ <= 0) return -1;
    return train_seconds_ / step_share_ + eval_seconds_ / evals_;
  }

 private:
  double train_seconds_ = 0, step_share_ = 0, eval_seconds_ = 0;
  int evals_ = 0;
};

class Progress {
 public:
  // An empty log_path makes a silent Progress (data-parallel ranks other than 0).
  Progress(const std::string& log_path, bool live, std::string run_name);
  void log(const nlohmann::json& record);  // appends one JSON line (flushed)
  // Live line; rate in images/s; eta_seconds < 0 = unknown.
  void step(int epoch, int epochs, int step, int steps, double loss, double acc, double rate,
            double eta_seconds);
  void epoch_line(const std::string& text);  // ends the live line and prints `text`

  static std::string format_duration(double seconds);
  // The segments of a run that was resumed: one entry per start/resume event of the log since
  // its last start from epoch 0 ({from_epoch, git_commit, git_dirty, hostname, threads, device};
  // git fields "unknown" where the event predates their logging).
  static nlohmann::json segments(const std::string& log_path);

 private:
  std::ofstream log_;
  bool enabled_, live_;
  std::string name_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace tnn
