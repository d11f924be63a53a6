// GPU timing for the benchmark. Default ("cold") mode: before every timed call the L2 is
// flushed by a cudaMemsetAsync over a buffer of at least 256 MB (4x the L2 of an H100/H200), then
// CUDA events bracket the single call; the statistics are over >= min_reps calls and at least
// min_time_s of GPU time. Graph ("hot") mode: kGraphOps back-to-back calls are captured in a
// CUDA graph and each replay is timed; per-call time = replay / kGraphOps. It shows the floor
// without launch gaps, with weights that fit in L2 staying there ("/warm" entries).
#pragma once

#include <cuda_runtime_api.h>

#include <functional>
#include <string>
#include <vector>

namespace tnn::bench::gpu {

struct TimingOptions {
  double min_time_s = 0.2;  // GPU time spent in timed calls, per benchmark
  int min_reps = 30, max_reps = 5000;
  size_t flush_bytes = size_t(256) << 20;
};

struct Stats {
  double min_us = 0, median_us = 0, mean_us = 0;
  int reps = 0;
};

using Op = std::function<void(cudaStream_t)>;

class Timer {
 public:
  static constexpr int kGraphOps = 20;

  Timer(cudaStream_t stream, TimingOptions opt);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  Stats cold(const Op& op);   // L2 flushed before every call
  Stats graph(const Op& op);  // CUDA-graph replays, no flush
  std::string describe() const;

 private:
  double flush_and_time(const Op& op, int reps, std::vector<float>& out);
  cudaStream_t stream_;
  TimingOptions opt_;
  void* flush_ = nullptr;
  std::vector<cudaEvent_t> start_, stop_;
};

Stats summarize(std::vector<float> ms);

}  // namespace tnn::bench::gpu
