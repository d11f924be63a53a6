#include "cudnn_conv.hpp"

#include "../check.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace tnn::kernels::cuda::baselines {

namespace {
void check(cudnnStatus_t s, const char* what) {
  if (s != CUDNN_STATUS_SUCCESS)
    throw std::runtime_error(std::string(what) + ": " + cudnnGetErrorString(s));
}

const char* algo_name(cudnnConvolutionFwdAlgo_t a) {
  switch (a) {
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM:
      return "IMPLICIT_GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM:
      return "IMPLICIT_PRECOMP_GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_GEMM:
      return "GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_DIRECT:
      return "DIRECT";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT:
      return "FFT";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING:
      return "FFT_TILING";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD:
      return "WINOGRAD";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED:
      return "WINOGRAD_NONFUSED";
    default:
      return "?";
  }
}

const char* math_name(cudnnMathType_t m) {
  switch (m) {
    case CUDNN_DEFAULT_MATH:
      return "CUDNN_DEFAULT_MATH";
    case CUDNN_TENSOR_OP_MATH:
      return "CUDNN_TENSOR_OP_MATH";
    case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION:
      return "CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION";
    case CUDNN_FMA_MATH:
      return "CUDNN_FMA_MATH";
    default:
      return "?";
  }
}
}  // namespace

const char* to_string(CudnnMode m) {
  switch (m) {
    case CudnnMode::f32:
      return "f32";
    case CudnnMode::tf32:
      return "tf32";
    case CudnnMode::f16:
      return "f16";
  }
  return "?";
}

CudnnConv3x3::CudnnConv3x3(CudnnMode mode, const Conv3x3Shape& s, cudaStream_t stream,
                           bool exhaustive)
    : mode_(mode) {
  const cudnnDataType_t dt = mode == CudnnMode::f16 ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
  check(cudnnCreate(&handle_), "cudnnCreate");
  check(cudnnSetStream(handle_, stream), "cudnnSetStream");
  check(cudnnCreateTensorDescriptor(&xd_), "cudnnCreateTensorDescriptor");
  check(cudnnCreateTensorDescriptor(&yd_), "cudnnCreateTensorDescriptor");
  check(cudnnCreateFilterDescriptor(&wd_), "cudnnCreateFilterDescriptor");
  check(cudnnCreateConvolutionDescriptor(&cd_), "cudnnCreateConvolutionDescriptor");
  check(cudnnSetTensor4dDescriptor(xd_, CUDNN_TENSOR_NHWC, dt, s.n, s.c, s.h, s.w), "x desc");
  check(cudnnSetFilter4dDescriptor(wd_, dt, CUDNN_TENSOR_NHWC, s.k, s.c, 3, 3), "w desc");
  // FP32 accumulation in every mode (FP16 data: cuDNN's "pseudo-half" configuration).
  check(cudnnSetConvolution2dDescriptor(cd_, 1, 1, s.stride, s.stride, 1, 1,
                                        CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
        "conv desc");
  const cudnnMathType_t wanted = mode == CudnnMode::f32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH;
  check(cudnnSetConvolutionMathType(cd_, wanted), "cudnnSetConvolutionMathType");
  int n = 0, c = 0, h = 0, w = 0;
  check(cudnnGetConvolution2dForwardOutputDim(cd_, xd_, wd_, &n, &c, &h, &w), "output dim");
  if (n != s.n || c != s.k || h != s.oh() || w != s.ow())
    throw std::runtime_error("cudnn conv3x3: unexpected output shape");
  check(cudnnSetTensor4dDescriptor(yd_, CUDNN_TENSOR_NHWC, dt, n, c, h, w), "y desc");

  std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(CUDNN_CONVOLUTION_FWD_ALGO_COUNT);
  int got = 0;
  if (exhaustive)
    check(cudnnFindConvolutionForwardAlgorithm(handle_, xd_, wd_, cd_, yd_, int(perf.size()), &got,
                                               perf.data()),
          "cudnnFindConvolutionForwardAlgorithm");
  else
    check(cudnnGetConvolutionForwardAlgorithm_v7(handle_, xd_, wd_, cd_, yd_, int(perf.size()),
                                                 &got, perf.data()),
          "cudnnGetConvolutionForwardAlgorithm_v7");
  // First (best-ranked) usable result. The FP32 baseline prefers results labelled FMA and keeps
  // CUDNN_FMA_MATH on the descriptor either way, so it cannot drift onto TF32 tensor cores.
  int pick = -1;
  for (int pass = 0; pass < 2 && pick < 0; ++pass)
    for (int i = 0; i < got && pick < 0; ++i)
      if (perf[size_t(i)].status == CUDNN_STATUS_SUCCESS &&
          (mode != CudnnMode::f32 || pass == 1 || perf[size_t(i)].mathType == CUDNN_FMA_MATH))
        pick = i;
  if (pick < 0)
    throw std::runtime_error(std::string("cudnn conv3x3: no usable algorithm for mode ") +
                             to_string(mode));
  algo_ = perf[size_t(pick)].algo;
  math_ = mode == CudnnMode::f32 ? CUDNN_FMA_MATH : perf[size_t(pick)].mathType;
  check(cudnnSetConvolutionMathType(cd_, math_), "cudnnSetConvolutionMathType");
  check(cudnnGetConvolutionForwardWorkspaceSize(handle_, xd_, wd_, cd_, yd_, algo_, &ws_bytes_),
        "cudnnGetConvolutionForwardWorkspaceSize");
  if (ws_bytes_ > 0) check_cuda(cudaMalloc(&ws_, ws_bytes_), "cudaMalloc(cudnn workspace)");
}

CudnnConv3x3::~CudnnConv3x3() {
  if (ws_) cudaFree(ws_);
  if (cd_) cudnnDestroyConvolutionDescriptor(cd_);
  if (wd_) cudnnDestroyFilterDescriptor(wd_);
  if (yd_) cudnnDestroyTensorDescriptor(yd_);
  if (xd_) cudnnDestroyTensorDescriptor(xd_);
  if (handle_) cudnnDestroy(handle_);
}

void CudnnConv3x3::run(const void* x, const void* w, void* y) {
  const float one = 1.0f, zero = 0.0f;
  check(cudnnConvolutionForward(handle_, &one, xd_, x, wd_, w, cd_, algo_, ws_, ws_bytes_, &zero,
                                yd_, y),
        "cudnnConvolutionForward");
}

std::string CudnnConv3x3::algo() const {
  return algo_name(algo_);
}
std::string CudnnConv3x3::math() const {
  return math_name(math_);
}

std::string CudnnConv3x3::version() {
  const size_t v = cudnnGetVersion();  // needs no device
  return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." +
         std::to_string(v % 100);
}

}  // namespace tnn::kernels::cuda::baselines
