// oneDNN 2.6 GEMM/GEMV baselines: dnnl_sgemm and the matmul primitive (FP32, u8 x s8).
#include "tnn/kernels/onednn.hpp"

#include <oneapi/dnnl/dnnl.hpp>

#include <chrono>
#include <stdexcept>

namespace tnn::kernels::onednn {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

std::string version() {
  const dnnl_version_t* v = dnnl_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
}

std::string effective_isa() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41:
      return "sse41";
    case dnnl::cpu_isa::avx:
      return "avx";
    case dnnl::cpu_isa::avx2:
      return "avx2";
    case dnnl::cpu_isa::avx512_core:
      return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni:
      return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16:
      return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx:
      return "avx512_core_amx";
    default:
      return "other";
  }
}

namespace {

void check(dnnl_status_t st, const char* what) {
  if (st != dnnl_success)
    throw std::runtime_error(std::string(what) + " failed with oneDNN status " +
                             std::to_string(int(st)));
}

// Weights in the user's layout `user_md` reordered once into the primitive's (`weights`);
// returns the milliseconds it took.
double timed_reorder(dnnl::stream& stream, const memory::desc& user_md, const void* w,
                     memory& weights) {
  memory user(user_md, weights.get_engine(), const_cast<void*>(w));
  const auto t0 = std::chrono::steady_clock::now();
  dnnl::reorder(user, weights).execute(stream, user, weights);
  stream.wait();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void sgemv(const float* w, int64_t rows, int64_t cols, const float* x, float* y) {
  // Row-major C[rows][1] = A[rows][cols] B[cols][1].
  check(dnnl_sgemm('N', 'N', rows, 1, cols, 1.0f, w, cols, x, 1, 0.0f, y, 1), "dnnl_sgemm");
}

void sgemm(const float* w, int64_t rows, int64_t cols, const float* x, int64_t n, float* y) {
  // Row-major Y[n][rows] = X[n][cols] W^T.
  check(dnnl_sgemm('N', 'T', n, rows, cols, 1.0f, x, cols, w, cols, 0.0f, y, rows), "dnnl_sgemm");
}

struct MatmulF32::State {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{eng};
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
  memory weights, src, dst;
  std::string impl;
  double reorder_ms = 0;
};

MatmulF32::MatmulF32(const float* w, int64_t rows, int64_t cols, int64_t n)
    : s_(std::make_unique<State>()) {
  // dst[n][rows] = src[n][cols] * B[cols][rows] with B = W^T: W row-major is B in "ba" order.
  const memory::desc src_md({n, cols}, dt::f32, tag::ab);
  const memory::desc wei_md({cols, rows}, dt::f32, tag::any);
  const memory::desc dst_md({n, rows}, dt::f32, tag::ab);
  s_->pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(src_md, wei_md, dst_md), s_->eng);
  s_->prim = dnnl::matmul(s_->pd);
  s_->impl = s_->pd.impl_info_str();
  s_->weights = memory(s_->pd.weights_desc(), s_->eng);
  s_->reorder_ms = timed_reorder(s_->stream, {{cols, rows}, dt::f32, tag::ba}, w, s_->weights);
  s_->src = memory(s_->pd.src_desc(), s_->eng, DNNL_MEMORY_NONE);
  s_->dst = memory(s_->pd.dst_desc(), s_->eng, DNNL_MEMORY_NONE);
}

MatmulF32::~MatmulF32() = default;
MatmulF32::MatmulF32(MatmulF32&&) noexcept = default;
MatmulF32& MatmulF32::operator=(MatmulF32&&) noexcept = default;

void MatmulF32::run(const float* x, float* y) {
  s_->src.set_data_handle(const_cast<float*>(x));
  s_->dst.set_data_handle(y);
  s_->prim.execute(
      s_->stream,
      {{DNNL_ARG_SRC, s_->src}, {DNNL_ARG_WEIGHTS, s_->weights}, {DNNL_ARG_DST, s_->dst}});
  s_->stream.wait();
}

const std::string& MatmulF32::impl() const {
  return s_->impl;
}
double MatmulF32::weight_reorder_ms() const {
  return s_->reorder_ms;
}

struct MatmulS8::State {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{eng};
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
  memory weights, src, dst, zero_point;
  std::string impl;
  double reorder_ms = 0;
};

MatmulS8::MatmulS8(const int8_t* w, const float* scales, int64_t rows, int64_t cols, int64_t n)
    : s_(std::make_unique<State>()) {
  const memory::desc src_md({n, cols}, dt::u8, tag::ab);
  const memory::desc wei_md({cols, rows}, dt::s8, tag::any);
  const memory::desc dst_md({n, rows}, dt::f32, tag::ab);
  dnnl::primitive_attr attr;
  attr.set_output_scales(1 << 1, std::vector<float>(scales, scales + rows));  // per column
  attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});  // one for the whole input
  s_->pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(src_md, wei_md, dst_md), attr, s_->eng);
  s_->prim = dnnl::matmul(s_->pd);
  s_->impl = s_->pd.impl_info_str();
  s_->weights = memory(s_->pd.weights_desc(), s_->eng);
  s_->reorder_ms = timed_reorder(s_->stream, {{cols, rows}, dt::s8, tag::ba}, w, s_->weights);
  s_->src = memory(s_->pd.src_desc(), s_->eng, DNNL_MEMORY_NONE);
  s_->dst = memory(s_->pd.dst_desc(), s_->eng, DNNL_MEMORY_NONE);
  s_->zero_point = memory({{1}, dt::s32, tag::a}, s_->eng);
}

MatmulS8::~MatmulS8() = default;
MatmulS8::MatmulS8(MatmulS8&&) noexcept = default;
MatmulS8& MatmulS8::operator=(MatmulS8&&) noexcept = default;

void MatmulS8::run(const uint8_t* x, int32_t zero_point, float* y) {
  s_->src.set_data_handle(const_cast<uint8_t*>(x));
  s_->dst.set_data_handle(y);
  *static_cast<int32_t*>(s_->zero_point.get_data_handle()) = zero_point;
  s_->prim.execute(s_->stream, {{DNNL_ARG_SRC, s_->src},
                                {DNNL_ARG_WEIGHTS, s_->weights},
                                {DNNL_ARG_DST, s_->dst},
                                {DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, s_->zero_point}});
  s_->stream.wait();
}

const std::string& MatmulS8::impl() const {
  return s_->impl;
}
double MatmulS8::weight_reorder_ms() const {
  return s_->reorder_ms;
}

}  // namespace tnn::kernels::onednn
