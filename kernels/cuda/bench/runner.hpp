// What every benchmark case shares: the name filter, timing in cold and (optionally) graph
// mode, the check of each result against the exact reference, and one printed line per result.
// Every copy runs on the Runner's stream (created cudaStreamNonBlocking in main.cpp, so the
// legacy default stream and plain cudaMemcpy would NOT wait for the work queued on it).
#pragma once

#include "check.hpp"
#include "check_result.hpp"
#include "report.hpp"
#include "timer.hpp"

#include <cuda_fp16.h>

#include <functional>
#include <string>
#include <vector>

namespace tnn::bench::gpu {

// The exact result of a case (exact_reference.cu), or why there is none: our kernels are then still
// timed and their entries say "unchecked" with the reason.
struct Reference {
  std::vector<float> values;
  std::string source;   // e.g. "reference_gemm (double accumulation)"
  std::string missing;  // non-empty: no reference, and why
  bool ok() const { return missing.empty(); }
};

struct Runner {
  Timer& timer;
  cudaStream_t stream;
  std::function<bool(const std::string&)> filter;  // on the entry's name (main: --filter regex)
  bool graph = false;                              // also time CUDA-graph replays ("/warm" entries)
  bool cudnn_exhaustive = false;                   // cudnnFind instead of the v7 heuristics
  std::vector<Entry>& out;

  bool wants(const Entry& e) const { return filter(e.name()); }
  // Whether any of a case's implementations passes the filter (else skip its set-up).
  bool wants_any(const std::string& op, const std::string& shape,
                 const std::vector<std::string>& impls) const {
    for (const auto& i : impls)
      for (const char* variant : {"cold", "warm"})
        if (wants(Entry{op, i, shape, variant, {}, 0, 0, {}})) return true;
    return false;
  }

  // Times `op` (skipped when the filter rejects the name), then compares what it wrote to `y`
  // (n values, float or __half) with the reference; errors are recorded, never fatal.
  template <typename T>
  void run(Entry e, const Op& op, T* y, const Reference& ref);
  // An implementation that could not be set up (e.g. no usable cuDNN algorithm): recorded with
  // the reason so the results file says why the entry has no time.
  void unavailable(Entry e, const std::string& why);

 private:
  void measure(Entry e, const Op& op, const std::function<void()>& before,
               const std::function<void(Entry&)>& check);
};

// Runs `launch` (a reference kernel writing n floats to y on stream s) and downloads the result;
// a failure (or a NaN in the output) leaves the reference missing, with the reason.
Reference make_reference(const std::string& source, const std::function<void()>& launch, float* y,
                         size_t n, cudaStream_t s);

// Host copy of n device values as float, ordered after the work queued on `s`.
std::vector<float> download(const float* y, size_t n, cudaStream_t s);
std::vector<float> download(const __half* y, size_t n, cudaStream_t s);
// Fills e.extra: check, max_abs_diff, max_rel_diff, ... (compare_to_reference), or "unchecked".
void record_check(Entry& e, const std::vector<float>& y, const Reference& ref, bool half_out);

template <typename T>
void Runner::run(Entry e, const Op& op, T* y, const Reference& ref) {
  // Poison the shared output buffer (NaN): what this implementation fails to write shows up.
  const size_t n = ref.ok() ? ref.values.size() : 0;
  const auto poison = [&] {
    if (n > 0)
      kernels::cuda::check_cuda(cudaMemsetAsync(y, 0xFF, n * sizeof(T), stream), "poison output");
  };
  constexpr bool half_out = sizeof(T) == 2;
  measure(std::move(e), op, poison, [&](Entry& done) {
    record_check(done, ref.ok() ? download(y, n, stream) : std::vector<float>{}, ref, half_out);
  });
}

}  // namespace tnn::bench::gpu
