// What every benchmark case shares: the name filter, timing in cold and (optionally) graph
// mode, the check of each result against the FP32 baseline's, and one printed line per result.
#pragma once

#include "check.hpp"
#include "report.hpp"
#include "timer.hpp"

#include <cuda_fp16.h>

#include <regex>
#include <string>
#include <vector>

namespace tnn::bench::gpu {

struct Runner {
  Timer& timer;
  cudaStream_t stream;
  std::regex filter;
  bool graph = false;             // also time CUDA-graph replays ("/warm" entries)
  bool cudnn_exhaustive = false;  // cudnnFind instead of the v7 heuristics
  std::vector<Entry>& out;

  bool wants(const Entry& e) const { return std::regex_search(e.name(), filter); }
  // Whether any of a case's implementations passes the filter (else skip its set-up).
  bool wants_any(const std::string& op, const std::string& shape,
                 const std::vector<std::string>& impls) const {
    for (const auto& i : impls)
      for (const char* variant : {"cold", "warm"})
        if (wants(Entry{op, i, shape, variant, {}, 0, 0, {}})) return true;
    return false;
  }

  // Times `op` (skipped when the filter rejects the name), then compares what it wrote to `y`
  // (n values, float or __half) with `ref`; errors are recorded, never fatal.
  template <typename T>
  void run(Entry e, const Op& op, T* y, const std::vector<float>& ref);

 private:
  void measure(Entry e, const Op& op, const std::function<void(Entry&)>& before,
               const std::function<void(Entry&)>& check);
};

// Host copy of n device values as float.
std::vector<float> download(const float* y, size_t n);
std::vector<float> download(const __half* y, size_t n);
// max |y - ref| and the verdict ("exact", "close" within 1e-3 max|ref|, "MISMATCH").
void record_check(Entry& e, const std::vector<float>& y, const std::vector<float>& ref);

template <typename T>
void Runner::run(Entry e, const Op& op, T* y, const std::vector<float>& ref) {
  // Poison the shared output buffer (NaN): what this implementation fails to write shows up.
  const auto poison = [&](Entry&) {
    kernels::cuda::check_cuda(cudaMemsetAsync(y, 0xFF, ref.size() * sizeof(T), stream),
                              "poison output");
  };
  measure(std::move(e), op, poison,
          [&](Entry& done) { record_check(done, download(y, ref.size()), ref); });
}

}  // namespace tnn::bench::gpu
