// Dense oneDNN 2.6 baselines (Debian libdnnl 2.6.3; the pre-3.0 `::desc` API). Built only when
// CMake found oneDNN (TNN_HAVE_ONEDNN). The hand-written roofline GEMV is in cpu.hpp.
//
// Conventions that keep the baseline honest (docs/kernels.md): activations are NHWC
// (brgconv's native layout; plain NCHW would fall back to a 2-4x slower gemm path), weights use
// format_tag::any and are reordered once in the constructor (timed separately, reported by
// weight_reorder_ms()), ReLU is a fused post-op when the ternary side fuses it too.
#pragma once

#include "tnn/kernels/types.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace tnn::kernels::onednn {

std::string version();        // e.g. "2.6.3"
std::string effective_isa();  // oneDNN's CPU ISA name, e.g. "avx512_core_bf16"

// FP32 direct convolution, NHWC src/dst, y = conv(x, w) + bias, optional ReLU.
class ConvF32 {
 public:
  // w_ohwi: [K][kh][kw][C]; bias: K values or nullptr. residual: before ReLU, add run()'s
  // residual_nhwc (shaped as y; oneDNN's binary-add post-op: a fused residual add).
  ConvF32(const ConvShape& s, const float* w_ohwi, const float* bias, bool relu,
          bool residual = false);
  ~ConvF32();
  ConvF32(ConvF32&&) noexcept;
  ConvF32& operator=(ConvF32&&) noexcept;
  void run(const float* x_nhwc, float* y_nhwc, const float* residual_nhwc = nullptr);
  const ConvShape& shape() const;
  const std::string& impl() const;  // oneDNN's implementation name, e.g. "brgconv:avx512_core"
  double weight_reorder_ms() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// int8 convolution: u8 NHWC src, s8 weights, dst = relu?(scale[k] * sum) as u8 (saturated,
// rounded) or f32. scale = in_scale * weight_scale / out_scale (1 value or K values).
class ConvS8 {
 public:
  ConvS8(const ConvShape& s, const int8_t* w_ohwi, const float* scales, int64_t scale_count,
         bool relu, bool u8_output);
  ~ConvS8();
  ConvS8(ConvS8&&) noexcept;
  ConvS8& operator=(ConvS8&&) noexcept;
  void run(const uint8_t* x_nhwc, void* y_nhwc);
  const std::string& impl() const;
  double weight_reorder_ms() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// y = W x for a row-major W [rows][cols] through dnnl_sgemm (N = 1), and the batched form
// Y[n][rows] = X[n][cols] W^T.
void sgemv(const float* w, int64_t rows, int64_t cols, const float* x, float* y);
void sgemm(const float* w, int64_t rows, int64_t cols, const float* x, int64_t n, float* y);

// The matmul primitive with M = n (n = 1: GEMV): weights reordered once to oneDNN's layout.
class MatmulF32 {
 public:
  MatmulF32(const float* w, int64_t rows, int64_t cols, int64_t n);
  ~MatmulF32();
  MatmulF32(MatmulF32&&) noexcept;
  MatmulF32& operator=(MatmulF32&&) noexcept;
  void run(const float* x, float* y);
  const std::string& impl() const;
  double weight_reorder_ms() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// int8 matmul: y[n][rows] = scales[r] * sum_c W[r][c] * (x[n][c] - zero_point), u8 x, s8 W
// (row-major [rows][cols], reordered once), f32 y. The zero point is a run-time argument (a
// classifier's input is quantized per batch); the scales are fixed (oneDNN 2.6 takes its slow
// gemm:jit path for run-time output scales: 1.66 vs 0.27 ms for a 4096x4096 GEMV, Zen 4).
class MatmulS8 {
 public:
  MatmulS8(const int8_t* w, const float* scales, int64_t rows, int64_t cols, int64_t n);
  ~MatmulS8();
  MatmulS8(MatmulS8&&) noexcept;
  MatmulS8& operator=(MatmulS8&&) noexcept;
  void run(const uint8_t* x, int32_t zero_point, float* y);
  const std::string& impl() const;
  double weight_reorder_ms() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace tnn::kernels::onednn
