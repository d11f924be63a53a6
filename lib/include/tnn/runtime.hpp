// Process-wide runtime settings: threads, and what the machine and libraries are (for results).
#pragma once

#include <nlohmann/json.hpp>

namespace tnn {

// Sets LibTorch's (and OpenMP's, hence oneDNN's) thread count. threads <= 0 means all cores:
// LibTorch 1.13 otherwise uses hardware_concurrency()/2, i.e. 1 thread on a 2-core machine.
// OMP_NUM_THREADS, when set, wins over the default but not over an explicit count.
int init_threads(int threads = 0);

// Keeps freed tensor memory in the heap instead of returning it to the OS after every step.
// glibc mmaps big blocks (activations are up to 8 MiB at batch 128) and unmaps them on free, so
// each training pass page-faults its activations in again: measured 13 % of TGA's two-pass step
// on 2 cores (results/bench-train). Glibc only; a no-op elsewhere.
void init_allocator();

// Machine and software description recorded in every result: CPU model and ISA flags, threads,
// GPU, compiler, LibTorch / oneDNN / CUDA versions, git commit and dirty flag.
nlohmann::json environment_info();

}  // namespace tnn
