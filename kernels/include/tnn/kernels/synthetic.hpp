// Random packed models with realistic statistics, for tests and benchmarks when no trained
// model is at hand (the kernels' speed depends on shapes and zero fractions, not on accuracy).
#pragma once

#include "tnn/kernels/model.hpp"

#include <cstdint>

namespace tnn::kernels {

struct SyntheticResNetOptions {
  int depth = 20;               // CIFAR 6n+2: 20, 32, 44, 56; ImageNet 18, 34, 50, 101
  double zero_fraction = 0.45;  // TWN-like sparsity of every ternary layer
  int terms = 1;                // residual-expansion terms
  bool per_channel = true;      // per-output-channel scales (else one per layer)
  bool asymmetric = false;      // TTQ-style scale_pos != scale_neg
  bool fp_first = false;        // keep the stem conv dense FP32
  bool fp_last = false;         // keep the classifier dense FP32
  int classes = 10;
  uint32_t seed = 1;
};

// CIFAR ResNet-(6n+2) with option-A shortcuts (same graph as lib/nn/resnet_cifar.cpp), folded
// BN as a per-channel affine, weights scaled He-style so activations keep their magnitude.
Model make_random_resnet_cifar(const SyntheticResNetOptions& o);

// ImageNet ResNet-18/34 (basic blocks) or -50/101 (bottlenecks) as `tnn pack` writes it: 7x7 / 2
// stem + BN + ReLU, 3x3 / 2 max-pool, projection shortcuts (1x1 conv + BN), global pool, FC;
// input image_size x image_size x 3.
Model make_random_resnet_imagenet(const SyntheticResNetOptions& o, int64_t image_size = 224);

// BN-AlexNet at 224 x 224 as `tnn pack` writes it (lib/nn/alexnet_bn.cpp): five convs + BN +
// ReLU with three 3x3 / 2 max-pools, FC6 / FC7 (4096, BN1d + ReLU folded in), FC8. `depth` is
// ignored; fp_first / fp_last keep conv1 / FC8 dense.
Model make_random_alexnet(const SyntheticResNetOptions& o);

}  // namespace tnn::kernels
