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
                           const CudnnTrialBuffers& trial, bool exhaustive, bool summing_only)
    : mode_(mode), stream_(stream) {
  try {
    setup(s, trial, exhaustive, summing_only);
  } catch (...) {
    release();  // the destructor does not run for a half-built object
    throw;
  }
}

void CudnnConv3x3::setup(const Conv3x3Shape& s, const CudnnTrialBuffers& trial, bool exhaustive,
                         bool summing_only) {
  const cudnnDataType_t dt = mode_ == CudnnMode::f16 ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
  check(cudnnCreate(&handle_), "cudnnCreate");
  check(cudnnSetStream(handle_, stream_), "cudnnSetStream");
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
  // The math type the ranked list is asked for; each candidate then sets its own.
  const cudnnMathType_t wanted = mode_ == CudnnMode::f32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH;
  check(cudnnSetConvolutionMathType(cd_, wanted), "cudnnSetConvolutionMathType");
  int n = 0, c = 0, h = 0, w = 0;
  check(cudnnGetConvolution2dForwardOutputDim(cd_, xd_, wd_, &n, &c, &h, &w), "output dim");
  if (n != s.n || c != s.k || h != s.oh() || w != s.ow())
    throw std::runtime_error("cudnn conv3x3: unexpected output shape");
  check(cudnnSetTensor4dDescriptor(yd_, CUDNN_TENSOR_NHWC, dt, n, c, h, w), "y desc");

  std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(CUDNN_CONVOLUTION_FWD_ALGO_COUNT);
  int got = 0;
  const cudnnStatus_t st =
      exhaustive ? cudnnFindConvolutionForwardAlgorithm(handle_, xd_, wd_, cd_, yd_,
                                                        int(perf.size()), &got, perf.data())
                 : cudnnGetConvolutionForwardAlgorithm_v7(handle_, xd_, wd_, cd_, yd_,
                                                          int(perf.size()), &got, perf.data());
  std::vector<CudnnRanked> ranked;
  if (st == CUDNN_STATUS_SUCCESS) {
    for (int i = 0; i < got; ++i)
      ranked.push_back({perf[size_t(i)].algo, perf[size_t(i)].status, perf[size_t(i)].mathType});
  } else {
    cudaGetLastError();  // cudnnFind may leave a non-sticky error behind
    attempts_ = std::string(exhaustive ? "cudnnFindConvolutionForwardAlgorithm"
                                       : "cudnnGetConvolutionForwardAlgorithm_v7") +
                ": " + cudnnGetErrorString(st) + "; trying every algorithm. ";
  }
  std::vector<CudnnCandidate> candidates = cudnn_candidates(mode_, ranked);
  if (summing_only) candidates = only_summing_products(std::move(candidates));
  for (const CudnnCandidate& cand : candidates) {
    std::string why;
    if (try_candidate(cand, trial, why)) return;
    attempts_ += std::string(algo_name(cand.algo)) + "/" + math_name(cand.math) + ": " + why + "; ";
  }
  throw std::runtime_error(std::string("cudnn conv3x3 ") + to_string(mode_) +
                           ": no algorithm passed the workspace query and a trial run (" +
                           attempts_ + ")");
}

// Sets the candidate's math type, sizes and allocates its workspace and runs it once; on any
// failure frees what it took, says why and returns false.
bool CudnnConv3x3::try_candidate(const CudnnCandidate& c, const CudnnTrialBuffers& trial,
                                 std::string& why) {
  cudnnStatus_t st = cudnnSetConvolutionMathType(cd_, c.math);
  if (st != CUDNN_STATUS_SUCCESS) {
    why = std::string("cudnnSetConvolutionMathType ") + cudnnGetErrorString(st);
    return false;
  }
  size_t bytes = 0;
  st = cudnnGetConvolutionForwardWorkspaceSize(handle_, xd_, wd_, cd_, yd_, c.algo, &bytes);
  if (st != CUDNN_STATUS_SUCCESS) {
    why = std::string("workspace query ") + cudnnGetErrorString(st);
    return false;
  }
  void* ws = nullptr;
  if (bytes > 0) {
    const cudaError_t e = cudaMalloc(&ws, bytes);
    if (e != cudaSuccess) {
      cudaGetLastError();
      why = "cudaMalloc(" + std::to_string(bytes) + " B workspace) " + cudaGetErrorName(e);
      return false;
    }
  }
  const float one = 1.0f, zero = 0.0f;
  st = cudnnConvolutionForward(handle_, &one, xd_, trial.x, wd_, trial.w, cd_, c.algo, ws, bytes,
                               &zero, yd_, trial.y);
  const cudaError_t sync = cudaStreamSynchronize(stream_);
  if (st != CUDNN_STATUS_SUCCESS || sync != cudaSuccess) {
    cudaGetLastError();
    if (ws) cudaFree(ws);
    why = std::string("trial run ") +
          (st != CUDNN_STATUS_SUCCESS ? cudnnGetErrorString(st) : cudaGetErrorName(sync));
    return false;
  }
  algo_ = c.algo;
  math_ = c.math;
  ws_ = ws;
  ws_bytes_ = bytes;
  return true;
}

void CudnnConv3x3::release() {
  if (ws_) cudaFree(ws_);
  if (cd_) cudnnDestroyConvolutionDescriptor(cd_);
  if (wd_) cudnnDestroyFilterDescriptor(wd_);
  if (yd_) cudnnDestroyTensorDescriptor(yd_);
  if (xd_) cudnnDestroyTensorDescriptor(xd_);
  if (handle_) cudnnDestroy(handle_);
  ws_ = nullptr, cd_ = nullptr, wd_ = nullptr, yd_ = nullptr, xd_ = nullptr, handle_ = nullptr;
}

CudnnConv3x3::~CudnnConv3x3() {
  release();
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
