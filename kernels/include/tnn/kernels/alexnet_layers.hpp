// BN-AlexNet's layer table (the reference's models/alexnet_quan.py), the one copy of it: the
// trainer's model (lib/nn/alexnet_bn.cpp) and the synthetic packed model (engine/synthetic.cpp)
// both build from it. LibTorch-free, so the kernels library can use it.
#pragma once

#include <cstdint>

namespace tnn::kernels::alexnet {

struct ConvLayer {
  int64_t in, out, kernel, stride, pad;
  bool pool_after;     // a 3x3 / 2 max-pool follows (after the BN and ReLU)
  int64_t out_hw_224;  // output height = width at 224 x 224 input
};

inline constexpr ConvLayer kConvs[] = {{3, 96, 11, 4, 2, true, 55},
                                       {96, 256, 5, 1, 2, true, 27},
                                       {256, 384, 3, 1, 1, false, 13},
                                       {384, 384, 3, 1, 1, false, 13},
                                       {384, 256, 3, 1, 1, true, 13}};
inline constexpr int64_t kPoolKernel = 3, kPoolStride = 2;
inline constexpr int64_t kFeatureChannels = 256, kFeatureHW = 6;  // FC6's input: 256 x 6 x 6
inline constexpr int64_t kHidden = 4096;                          // FC6 and FC7 outputs

}  // namespace tnn::kernels::alexnet
