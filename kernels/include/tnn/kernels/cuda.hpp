// CUDA ternary kernels: host API. Every pointer argument except the HostTernaryMatrix data is a
// device pointer; every call is asynchronous on `stream` and throws std::invalid_argument on bad
// shapes and std::runtime_error when a launch fails.
//
// Convention (same as the CPU kernels): W is a ternary matrix of `rows` = N outputs by `cols` = K
// inputs, X is M x K row-major, Y is M x N row-major and
//   Y[m][n] = scale[n] * sum_k X[m][k] * W[n][k]        (scale[0] for every n when per-layer)
// The int8 variants also multiply by the activation scale `x_scale` and write float.
// A 3x3 convolution is the same product with X gathered from NHWC input (implicit im2col) and W in
// OHWI order, i.e. rows = C_out, cols = 9 * C_in ((kh * 3 + kw) * C_in + c), as .tnn stores it.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime_api.h>

#include <cstdint>
#include <vector>

namespace tnn::kernels::cuda {

// GPU weight layout "tg16", made once at load time from the pack.hpp layout:
//  - 16 codes per uint32 word, stored as u = w + 1 in {0, 1, 2} (offset form: one AND yields
//    unsigned codes for dp4a, and a decoded weight is u - 1 without a table);
//  - element i of a row's word t (k = 16 t + i) sits at bits 8 * (i % 4) + 2 * (i / 4): the
//    shift by 2 j and a mask 0x03030303 give k = 16 t + 4 j .. + 3 as the 4 bytes of a word
//    (the interleave of BitNet's GPU kernel, adapted to consecutive k per byte);
//  - a row is ld_words words long, ld_words = ceil(cols / 16) rounded up to a multiple of 4, so
//    rows start 16-byte aligned and one 16-byte load covers 64 codes; padding codes are u = 1 (0).
constexpr int kTg16CodesPerWord = 16;
int tg16_ld_words(int cols);

struct HostTernaryMatrix {
  std::vector<uint32_t> words;  // rows * ld_words
  int rows = 0, cols = 0, ld_words = 0;
};

// packed: rows * packed_row_bytes(cols) bytes in the pack.hpp layout. Throws on the code 0b11.
HostTernaryMatrix relayout_tg16(const uint8_t* packed, int rows, int cols);
// Codes {-1, 0, +1} of a tg16 matrix, row-major rows x cols (inverse of relayout, for tests).
std::vector<int8_t> decode_tg16(const HostTernaryMatrix& m);

// Device view of a tg16 matrix and its FP32 scales.
struct TernaryMatrix {
  const uint32_t* words = nullptr;  // rows * ld_words, 16-byte aligned
  const float* scales = nullptr;    // rows values when per_channel, else 1
  int rows = 0, cols = 0, ld_words = 0;
  bool per_channel = false;
};

// GEMV: y = W x (M = 1). x is K values, y is N values; x must be 16-byte aligned.
void gemv(const TernaryMatrix& w, const float* x, float* y, cudaStream_t stream);
void gemv(const TernaryMatrix& w, const __half* x, __half* y, cudaStream_t stream);
void gemv_s8(const TernaryMatrix& w, const int8_t* x, float x_scale, float* y, cudaStream_t stream);

// GEMM: Y = X W^T for M >= 1 (M = 1 with x and the weights 16-byte aligned runs the GEMV kernel;
// otherwise the tiled ones, which take any alignment). FP32 runs on CUDA cores (exact FP32
// products); FP16 and int8 on tensor cores (wmma) with FP32 / int32 accumulation.
void gemm(const TernaryMatrix& w, const float* x, int m, float* y, cudaStream_t stream);
void gemm(const TernaryMatrix& w, const __half* x, int m, __half* y, cudaStream_t stream);
void gemm_s8(const TernaryMatrix& w, const int8_t* x, int m, float x_scale, float* y,
             cudaStream_t stream);

// 3x3 convolution, padding 1, stride 1 or 2, NHWC in and out (out: n x oh x ow x k).
struct Conv3x3Shape {
  int n = 1, h = 0, w = 0, c = 0, k = 0, stride = 1;
  int oh() const { return (h - 1) / stride + 1; }
  int ow() const { return (w - 1) / stride + 1; }
};
void conv3x3(const TernaryMatrix& w, const Conv3x3Shape& s, const float* x, float* y,
             cudaStream_t stream);
void conv3x3(const TernaryMatrix& w, const Conv3x3Shape& s, const __half* x, __half* y,
             cudaStream_t stream);
void conv3x3_s8(const TernaryMatrix& w, const Conv3x3Shape& s, const int8_t* x, float x_scale,
                float* y, cudaStream_t stream);

}  // namespace tnn::kernels::cuda
