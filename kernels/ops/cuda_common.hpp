// Internal: what the CUDA entries of the registry (ops/**/*_cuda.cpp, built only with CUDA into
// the object library tnn_cuda_ops, registered by ops/registry_cuda.cpp) share. They run the
// kernels of kernels/cuda (tnn/kernels/cuda.hpp) and the cuBLAS / cuDNN baselines on the
// registry's host buffers: run() copies the input to the device, launches, copies the output
// back and finishes on the host (summing components, zero-point correction, epilogue,
// requantization). That suits checking against the references (test_ops), not timing:
// kernels/cuda/bench times the device kernels alone.
#pragma once

#include "common.hpp"
#include "device_buffer.hpp"
#include "tnn/kernels/cuda.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tnn::kernels::ops {

// A CUDA device is present (cudaGetDeviceCount > 0); otherwise `why` says "no CUDA device" and
// what the runtime reported.
bool cuda_device_available(std::string* why);

// An entry on device "cuda" whose availability is cuda_device_available.
Impl make_cuda_impl(Op op, const std::string& name, Role role, SupportsFn supports,
                    PrepareFn prepare);

// The CUDA ternary kernels take one symmetric term with FP32 scales per launch: a problem's
// terms become symmetric components (ops/components.hpp; two per asymmetric term), one tg16
// matrix each, whose outputs the host adds.
class CudaTernaryWeights {
 public:
  struct Component {
    cuda::DeviceBuffer<uint32_t> words;
    cuda::DeviceBuffer<float> scales;  // per row
    cuda::TernaryMatrix view;
    std::vector<float> host_scales;
    // Sum of the codes of each row per filter tap (taps = cols / channels; one tap for a GEMM):
    // the W2A8 paths run on q - 128 and add (128 - zero_point) times the codes under the taps
    // that lie inside the image (padding contributes nothing).
    std::vector<int32_t> tap_sums;  // rows x taps
  };
  // taps: kh * kw of a conv, 1 for a GEMM (cols must be a multiple of it).
  CudaTernaryWeights(const TernaryWeights& w, int64_t taps);
  const std::vector<Component>& components() const { return components_; }
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  size_t bytes() const;  // device bytes of the codes

 private:
  std::vector<Component> components_;
  int64_t rows_ = 0, cols_ = 0;
};

// The weights the CUDA ternary kernels take: ternary, up to kMaxTerms terms, any scales.
bool cuda_supports_ternary(const Problem& p, std::string* why);

// The input on the device as the kernels' operand: FP32 as is, u8 as the signed int8 q - 128.
struct DeviceInput {
  cuda::DeviceBuffer<float> f32;
  cuda::DeviceBuffer<int8_t> s8;
  DeviceInput(DType t, const void* in, size_t count);
};

// 3x3 conv with padding 1 and stride 1 or 2: what cuda::conv3x3 and the cuDNN baseline take.
bool cuda_supports_conv3x3(const Problem& p, std::string* why);
cuda::Conv3x3Shape conv3x3_shape(const ConvShape& s, int64_t n);

// The W2A8 kernels ran on q - 128: adds x_scale * scale[r] * (128 - zero_point) * the codes of
// row r under the taps inside the image to every output (n images of shape s; a GEMM is a conv
// with h = w = kh = kw = 1, pad 0). y: n x oh x ow x rows.
void add_zero_point_terms(const CudaTernaryWeights::Component& c, const ConvShape& s, int64_t n,
                          const QuantParams& in_q, std::vector<float>& y);

// The sum over the weights' components of launch(component, y on the device), `count` outputs
// each, copied back; for W2A8 (`w2a8_shape`: the layer's shape, n images, input params q) plus
// each component's zero-point term.
using LaunchFn = std::function<void(const CudaTernaryWeights::Component&, float* y)>;
std::vector<float> sum_components(const CudaTernaryWeights& w, size_t count, const LaunchFn& launch,
                                  const ConvShape* w2a8_shape, int64_t n, const QuantParams& q);

// What the host does last, on NHWC FP32 outputs of `channels` values per pixel: the problem's
// epilogue, then a copy to the output buffer (FP32) or requantization with out_q (u8).
struct HostOutputStage {
  Epilogue epilogue;
  DType out_dtype = DType::kF32;
  QuantParams out_q;
  explicit HostOutputStage(const Problem& p)
      : epilogue(p.epilogue), out_dtype(p.out_dtype), out_q(p.out_q) {}
  void finish(std::vector<float>& y, int64_t channels, void* out) const;
};

}  // namespace tnn::kernels::ops
