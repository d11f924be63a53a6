#include "timer.hpp"

#include "check.hpp"

#include <algorithm>
#include <numeric>
#include <sstream>

namespace tnn::bench::gpu {

using kernels::cuda::check_cuda;

Stats summarize(std::vector<float> ms) {
  Stats s;
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  s.reps = int(ms.size());
  s.min_us = ms.front() * 1e3;
  const size_t h = ms.size() / 2;
  s.median_us = (ms.size() % 2 ? ms[h] : 0.5 * (ms[h - 1] + ms[h])) * 1e3;
  s.mean_us = std::accumulate(ms.begin(), ms.end(), 0.0) / double(ms.size()) * 1e3;
  return s;
}

Timer::Timer(cudaStream_t stream, TimingOptions opt) : stream_(stream), opt_(opt) {
  check_cuda(cudaMalloc(&flush_, opt_.flush_bytes), "cudaMalloc(L2 flush buffer)");
  start_.resize(size_t(opt_.max_reps));
  stop_.resize(size_t(opt_.max_reps));
  for (size_t i = 0; i < start_.size(); ++i) {
    check_cuda(cudaEventCreate(&start_[i]), "cudaEventCreate");
    check_cuda(cudaEventCreate(&stop_[i]), "cudaEventCreate");
  }
}

Timer::~Timer() {
  for (size_t i = 0; i < start_.size(); ++i) {
    cudaEventDestroy(start_[i]);
    cudaEventDestroy(stop_[i]);
  }
  cudaFree(flush_);
}

std::string Timer::describe() const {
  std::ostringstream o;
  o << "cold: cudaMemsetAsync over " << (opt_.flush_bytes >> 20)
    << " MiB before each call (L2 flushed), CUDA events around one call; warm: " << kGraphOps
    << " calls captured in a CUDA graph, replay time / " << kGraphOps
    << ", no flush; >= " << opt_.min_reps << " timed calls and >= " << opt_.min_time_s
    << " s each; real_time = median";
  return o.str();
}

// Times `reps` calls, each after a flush; returns the summed GPU milliseconds.
double Timer::flush_and_time(const Op& op, int reps, std::vector<float>& out) {
  for (int i = 0; i < reps; ++i) {
    check_cuda(cudaMemsetAsync(flush_, i & 0xFF, opt_.flush_bytes, stream_), "flush");
    check_cuda(cudaEventRecord(start_[size_t(i)], stream_), "cudaEventRecord");
    op(stream_);
    check_cuda(cudaEventRecord(stop_[size_t(i)], stream_), "cudaEventRecord");
  }
  check_cuda(cudaStreamSynchronize(stream_), "benchmark run");
  double total = 0;
  out.resize(size_t(reps));
  for (int i = 0; i < reps; ++i) {
    check_cuda(cudaEventElapsedTime(&out[size_t(i)], start_[size_t(i)], stop_[size_t(i)]),
               "cudaEventElapsedTime");
    total += out[size_t(i)];
  }
  return total;
}

Stats Timer::cold(const Op& op) {
  // Warm-up: module loading, library heuristics and clocks stay out of the numbers; a few timed
  // calls size the real run.
  op(stream_);
  check_cuda(cudaStreamSynchronize(stream_), "warm-up");
  std::vector<float> ms;
  const double probe = flush_and_time(op, std::min(5, opt_.max_reps), ms) / double(ms.size());
  const int want = probe > 0 ? int(opt_.min_time_s * 1e3 / probe) : opt_.max_reps;
  const int reps = std::clamp(want, opt_.min_reps, opt_.max_reps);
  flush_and_time(op, reps, ms);
  return summarize(ms);
}

Stats Timer::graph(const Op& op) {
  op(stream_);  // warm-up outside the capture (library handles allocate here, not in the graph)
  check_cuda(cudaStreamSynchronize(stream_), "warm-up");
  cudaGraph_t g = nullptr;
  cudaGraphExec_t exec = nullptr;
  check_cuda(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal), "begin capture");
  try {
    for (int i = 0; i < kGraphOps; ++i) op(stream_);
  } catch (...) {
    cudaStreamEndCapture(stream_, &g);  // leave the stream usable for the next benchmark
    if (g) cudaGraphDestroy(g);
    cudaGetLastError();
    throw;
  }
  check_cuda(cudaStreamEndCapture(stream_, &g), "end capture");
  check_cuda(cudaGraphInstantiate(&exec, g, 0), "cudaGraphInstantiate");
  check_cuda(cudaGraphLaunch(exec, stream_), "cudaGraphLaunch");  // warm replay
  check_cuda(cudaStreamSynchronize(stream_), "graph warm-up");
  std::vector<float> ms;
  double spent = 0;
  for (int i = 0; i < opt_.max_reps && (i < opt_.min_reps || spent < opt_.min_time_s * 1e3); i++) {
    check_cuda(cudaEventRecord(start_[0], stream_), "cudaEventRecord");
    check_cuda(cudaGraphLaunch(exec, stream_), "cudaGraphLaunch");
    check_cuda(cudaEventRecord(stop_[0], stream_), "cudaEventRecord");
    check_cuda(cudaEventSynchronize(stop_[0]), "graph replay");
    float t = 0;
    check_cuda(cudaEventElapsedTime(&t, start_[0], stop_[0]), "cudaEventElapsedTime");
    spent += t;
    ms.push_back(t / kGraphOps);
  }
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(g);
  return summarize(ms);
}

}  // namespace tnn::bench::gpu
