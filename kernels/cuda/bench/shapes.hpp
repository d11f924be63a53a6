// The benchmark's problem sizes: experiments/kernels/gpu.json, which reuses the CPU suites'
// files (gemv.json, resnet20_convs.json) so that CPU and GPU results share shape names, and adds
// the GPU-only sizes (16384^2 GEMV, the GEMM batches).
#pragma once

#include "tnn/kernels/cuda.hpp"

#include <string>
#include <vector>

namespace tnn::bench::gpu {

struct GemmShape {
  int m = 1, n = 0, k = 0;
  std::string name;         // GEMV: as the CPU suite names it, e.g. "4096x4096" (n x k)
  std::string str() const;  // name, else GEMM "M16-N4096-K4096"
};

struct ConvLayer {
  std::string name;
  kernels::cuda::Conv3x3Shape shape;
  std::string str() const;  // "C16-K32-H32-W32-k3-s2-p1-n1", as the CPU ConvShape::str()
};

struct Shapes {
  std::vector<GemmShape> gemv, gemm;
  std::vector<ConvLayer> conv;
  float zero_frac = 0.45f;
};

// Throws std::runtime_error naming the file and the problem.
Shapes load_shapes(const std::string& path);

}  // namespace tnn::bench::gpu
