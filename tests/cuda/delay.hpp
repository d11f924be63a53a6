// Test helper: keeps a stream busy, so a copy that is not ordered after the stream's work reads
// the buffer before that work has written it (the benchmark harness test relies on this).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>

namespace tnn::test {

// Spins for about `ms` milliseconds of GPU time, then sets y[0 .. n) to `value`; all on `s`.
void delay_then_fill(float* y, size_t n, float value, double ms, cudaStream_t s);

}  // namespace tnn::test
