// cuDNN baseline of conv_f32 ("cudnn_f32" on device "cuda"): the GPU benchmark's 3x3 conv
// wrapper (padding 1, stride 1 or 2, NHWC, KRSC = OHWI filter) in true FP32 (CUDNN_FMA_MATH) and
// restricted to the algorithms that sum products (no Winograd or FFT, whose rounding the op's
// exact checks do not allow); ternary weights expanded to dense FP32; on host buffers (see
// ops/cuda_common.hpp). The algorithm is chosen per batch size, on the first run of that size.
#include "../cuda_common.hpp"
#include "conv_kernels.hpp"
#include "cudnn_conv.hpp"

namespace tnn::kernels::ops {

namespace {

class CudnnConvKernel : public Kernel {
 public:
  explicit CudnnConvKernel(const Problem& p) : s_(p.shape), w_(dense_weights(p)), output_(p) {}
  Layout input_layout(int) const override { return Layout::nhwc(DType::kF32, s_.h, s_.w, s_.c); }
  Layout output_layout() const override {
    return Layout::nhwc(DType::kF32, s_.oh(), s_.ow(), s_.k);
  }
  size_t weight_bytes() const override { return w_.bytes(); }
  std::string describe() const override {
    return "cuDNN " + cuda::baselines::CudnnConv3x3::version() +
           (conv_ ? " " + conv_->algo() + " " + conv_->math() : std::string()) + ", host buffers";
  }
  void run(const RunArgs& a) override {
    const auto* x = static_cast<const float*>(a.in);
    const cuda::DeviceBuffer<float> x_dev(std::vector<float>(x, x + a.n * s_.h * s_.w * s_.c));
    cuda::DeviceBuffer<float> y_dev(size_t(a.n * s_.oh() * s_.ow() * s_.k));
    if (!conv_ || n_ != a.n) {
      conv_.reset();
      conv_ = std::make_unique<cuda::baselines::CudnnConv3x3>(
          cuda::baselines::CudnnMode::f32, conv3x3_shape(s_, a.n), nullptr,
          cuda::baselines::CudnnTrialBuffers{x_dev.get(), w_.get(), y_dev.get()},
          /*exhaustive=*/false, /*summing_only=*/true);
      n_ = a.n;
    }
    conv_->run(x_dev.get(), w_.get(), y_dev.get());
    std::vector<float> y = y_dev.download();
    output_.finish(y, s_.k, a.out);
  }

 private:
  ConvShape s_;
  cuda::DeviceBuffer<float> w_;
  HostOutputStage output_;
  std::unique_ptr<cuda::baselines::CudnnConv3x3> conv_;
  int64_t n_ = 0;
};

}  // namespace

Impl cudnn_conv_f32_impl() {
  return make_cuda_impl(Op::kConvF32, "cudnn_f32", Role::kBaseline, cuda_supports_conv3x3,
                        [](const Problem& p) { return std::make_unique<CudnnConvKernel>(p); });
}

}  // namespace tnn::kernels::ops
