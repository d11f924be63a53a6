// One registered implementation prepared for a benchmark problem, with buffers in its own
// activation layouts, and the check every benchmark runs once before timing: the kernel's
// output on its input (image 0) against the op's reference.
#pragma once

#include "tnn/kernels/layout.hpp"
#include "tnn/kernels/ops.hpp"

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace tnn::kernels::bench {

struct OpRunner {
  const ops::Impl* impl = nullptr;
  ops::Problem problem;  // weights point into `ternary`
  std::shared_ptr<const TernaryWeights> ternary;
  std::unique_ptr<ops::Kernel> kernel;

  OpRunner(const ops::Impl& i, const ops::Problem& p, std::shared_ptr<const TernaryWeights> w);
  // A buffer of problem.shape.n images in the kernel's input layout with random activations
  // (post-ReLU-like floats in [0, 4), or u8 codes below 80).
  AlignedBuffer<uint8_t> input(std::mt19937& rng) const;
  AlignedBuffer<uint8_t> output() const;  // padding prepared
  void run(const void* in, void* out) const;
  // Image 0 of `out` against the reference run on image 0 of `in`: throws std::runtime_error
  // naming the element and the bound when they differ by more than a K-scaled bound (FP32
  // outputs) or one step (u8 outputs).
  void check(const void* in, const void* out) const;
};

// The implementations a benchmark suite runs for `op`: per family, the best variant this
// machine runs (TNN_ISA honoured); references only when `with_reference`; no helpers.
std::vector<const ops::Impl*> bench_impls(ops::Op op, bool with_reference);

// The benchmarks' problems: ReLU fused; int8 convs read and write u8 with scale 0.05 and no
// zero point (requantizing between layers, as a W2A8 network does); GEMV with u8 zero point 128.
ops::Problem conv_problem(ops::Op op, const ConvShape& s);
ops::Problem gemv_problem(ops::Op op, int64_t rows, int64_t cols);

// Random ternary weights (zero fraction `zeros`, per-row scales in [0.02, 0.07)).
std::shared_ptr<const TernaryWeights> random_weights(int64_t rows, int64_t cols, double zeros,
                                                     uint32_t seed);

}  // namespace tnn::kernels::bench
