// Reference kernels: plain C++, one obvious loop nest each. They are the oracle every optimized
// kernel is tested against, so they favour clarity over speed.
//
// Ternary arithmetic (FP32 activations): for output r, P = sum of x over the +1 codes and
// M = sum of x over the -1 codes, both in column order; y = scale_pos[r]*P - scale_neg[r]*M.
// With several terms, y is the sum of the per-term results in term order.
// W2A8: P and M are int32 sums of (q - zero_point); y = x.scale * (scale_pos*P - scale_neg*M).
#pragma once

#include "tnn/kernels/types.hpp"

#include <cstdint>

namespace tnn::kernels::ref {

// One term with unpacked int8 codes (rows x cols, row-major) and 1 or `rows` scales.
struct TernaryView {
  const int8_t* codes = nullptr;
  int64_t rows = 0, cols = 0;
  const float* scale_pos = nullptr;
  const float* scale_neg = nullptr;
  bool per_channel = false;  // false: scale_pos[0] / scale_neg[0] for every row

  float pos(int64_t r) const { return scale_pos[per_channel ? r : 0]; }
  float neg(int64_t r) const { return scale_neg[per_channel ? r : 0]; }
};

// ---- FP32 activations x ternary weights, one term ----
void gemv(const TernaryView& w, const float* x, float* y);             // y[rows]
void gemm(const TernaryView& w, const float* x, int64_t n, float* y);  // x[n][cols] -> y[n][rows]
void conv2d(const ConvShape& s, const float* x, const TernaryView& w, float* y);  // NHWC -> NHWC

// ---- int8 (u8 + zero point) activations x ternary weights, one term ----
void gemv_w2a8(const TernaryView& w, const uint8_t* xq, const QuantParams& qp, float* y);
void gemm_w2a8(const TernaryView& w, const uint8_t* xq, int64_t n, const QuantParams& qp, float* y);
void conv2d_w2a8(const ConvShape& s, const uint8_t* xq, const QuantParams& qp, const TernaryView& w,
                 float* y);  // padding contributes real zeros

// ---- all terms of a TernaryWeights, summed in term order (unpacks on every call) ----
void gemv(const TernaryWeights& w, const float* x, float* y);
void gemm(const TernaryWeights& w, const float* x, int64_t n, float* y);
void conv2d(const ConvShape& s, const float* x, const TernaryWeights& w, float* y);
void gemv_w2a8(const TernaryWeights& w, const uint8_t* xq, const QuantParams& qp, float* y);
void gemm_w2a8(const TernaryWeights& w, const uint8_t* xq, int64_t n, const QuantParams& qp,
               float* y);
void conv2d_w2a8(const ConvShape& s, const uint8_t* xq, const QuantParams& qp,
                 const TernaryWeights& w, float* y);

// ---- dense FP32 (the FP layers of a model and the oneDNN cross-check) ----
void gemm_dense(const float* w, int64_t rows, int64_t cols, const float* x, int64_t n, float* y);
void conv2d_dense(const ConvShape& s, const float* x, const float* w_ohwi, float* y);

// y[p][c] = relu?(mul[c]*y + add[c]) over `pixels` rows of `channels` values.
void apply_epilogue(const Epilogue& e, float* y, int64_t pixels, int64_t channels);

}  // namespace tnn::kernels::ref
