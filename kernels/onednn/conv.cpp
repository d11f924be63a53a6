// oneDNN 2.6 convolution baselines (FP32 and u8 x s8).
#include "tnn/kernels/onednn.hpp"

#include <oneapi/dnnl/dnnl.hpp>

#include <chrono>
#include <vector>

namespace tnn::kernels::onednn {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

dnnl::engine& cpu_engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);  // one per process, as oneDNN intends
  return eng;
}

// Post-ops: an optional binary add of a tensor shaped as dst (post-op 0), then an optional ReLU.
dnnl::primitive_attr relu_attr(bool relu, const memory::desc* add = nullptr) {
  dnnl::primitive_attr attr;
  dnnl::post_ops po;
  if (add) po.append_binary(dnnl::algorithm::binary_add, *add);
  if (relu) po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
  if (add || relu) attr.set_post_ops(po);
  return attr;
}

dnnl::convolution_forward::desc conv_desc(const ConvShape& s, dt src, dt wei, dt dst,
                                          bool with_bias) {
  const memory::desc src_md({s.n, s.c, s.h, s.w}, src, tag::nhwc);
  const memory::desc wei_md({s.k, s.c, s.kh, s.kw}, wei, tag::any);
  const memory::desc dst_md({s.n, s.k, s.oh(), s.ow()}, dst, tag::nhwc);
  const memory::dims strides{s.stride, s.stride}, pad{s.pad, s.pad};
  if (with_bias)
    return {dnnl::prop_kind::forward_inference,
            dnnl::algorithm::convolution_direct,
            src_md,
            wei_md,
            memory::desc({s.k}, dt::f32, tag::x),
            dst_md,
            strides,
            pad,
            pad};
  return {dnnl::prop_kind::forward_inference,
          dnnl::algorithm::convolution_direct,
          src_md,
          wei_md,
          dst_md,
          strides,
          pad,
          pad};
}

// Reorders user OHWI weights into the primitive's layout once; returns milliseconds taken.
double reorder_weights(const ConvShape& s, dt type, const void* w_ohwi, const memory::desc& target,
                       memory& out) {
  auto& eng = cpu_engine();
  dnnl::stream stream(eng);
  const memory user({{s.k, s.c, s.kh, s.kw}, type, tag::ohwi}, eng, const_cast<void*>(w_ohwi));
  out = memory(target, eng);
  const auto t0 = std::chrono::steady_clock::now();
  dnnl::reorder(user, out).execute(stream, const_cast<memory&>(user), out);
  stream.wait();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

struct ConvF32::State {
  ConvShape shape;
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
  memory weights, bias, src, dst, residual;
  dnnl::stream stream;
  std::string impl;
  double reorder_ms = 0;
};

ConvF32::ConvF32(const ConvShape& s, const float* w_ohwi, const float* bias, bool relu,
                 bool residual)
    : s_(std::make_unique<State>()) {
  s.validate();
  auto& eng = cpu_engine();
  s_->shape = s;
  const memory::desc out_md({s.n, s.k, s.oh(), s.ow()}, dt::f32, tag::nhwc);
  s_->pd = dnnl::convolution_forward::primitive_desc(
      conv_desc(s, dt::f32, dt::f32, dt::f32, bias != nullptr),
      relu_attr(relu, residual ? &out_md : nullptr), eng);
  if (residual) s_->residual = memory(out_md, eng, DNNL_MEMORY_NONE);
  s_->prim = dnnl::convolution_forward(s_->pd);
  s_->impl = s_->pd.impl_info_str();
  s_->reorder_ms = reorder_weights(s, dt::f32, w_ohwi, s_->pd.weights_desc(), s_->weights);
  if (bias) {
    s_->bias = memory({{s.k}, dt::f32, tag::x}, eng);
    std::copy(bias, bias + s.k, static_cast<float*>(s_->bias.get_data_handle()));
  }
  s_->src = memory(s_->pd.src_desc(), eng, DNNL_MEMORY_NONE);
  s_->dst = memory(s_->pd.dst_desc(), eng, DNNL_MEMORY_NONE);
  s_->stream = dnnl::stream(eng);
}

ConvF32::~ConvF32() = default;
ConvF32::ConvF32(ConvF32&&) noexcept = default;
ConvF32& ConvF32::operator=(ConvF32&&) noexcept = default;

void ConvF32::run(const float* x_nhwc, float* y_nhwc, const float* residual_nhwc) {
  s_->src.set_data_handle(const_cast<float*>(x_nhwc));
  s_->dst.set_data_handle(y_nhwc);
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, s_->src}, {DNNL_ARG_WEIGHTS, s_->weights}, {DNNL_ARG_DST, s_->dst}};
  if (s_->bias) args.emplace(DNNL_ARG_BIAS, s_->bias);
  if (s_->residual) {
    if (!residual_nhwc) throw std::invalid_argument("onednn::ConvF32::run: residual missing");
    s_->residual.set_data_handle(const_cast<float*>(residual_nhwc));
    args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, s_->residual);
  }
  s_->prim.execute(s_->stream, args);
  s_->stream.wait();
}

const ConvShape& ConvF32::shape() const {
  return s_->shape;
}
const std::string& ConvF32::impl() const {
  return s_->impl;
}
double ConvF32::weight_reorder_ms() const {
  return s_->reorder_ms;
}

struct ConvS8::State {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
  memory weights, src, dst;
  dnnl::stream stream;
  std::string impl;
  double reorder_ms = 0;
};

ConvS8::ConvS8(const ConvShape& s, const int8_t* w_ohwi, const float* scales, int64_t scale_count,
               bool relu, bool u8_output)
    : s_(std::make_unique<State>()) {
  s.validate();
  auto& eng = cpu_engine();
  dnnl::primitive_attr attr = relu_attr(relu);
  attr.set_output_scales(scale_count == 1 ? 0 : 1 << 1,
                         std::vector<float>(scales, scales + scale_count));
  s_->pd = dnnl::convolution_forward::primitive_desc(
      conv_desc(s, dt::u8, dt::s8, u8_output ? dt::u8 : dt::f32, false), attr, eng);
  s_->prim = dnnl::convolution_forward(s_->pd);
  s_->impl = s_->pd.impl_info_str();
  s_->reorder_ms = reorder_weights(s, dt::s8, w_ohwi, s_->pd.weights_desc(), s_->weights);
  s_->src = memory(s_->pd.src_desc(), eng, DNNL_MEMORY_NONE);
  s_->dst = memory(s_->pd.dst_desc(), eng, DNNL_MEMORY_NONE);
  s_->stream = dnnl::stream(eng);
}

ConvS8::~ConvS8() = default;
ConvS8::ConvS8(ConvS8&&) noexcept = default;
ConvS8& ConvS8::operator=(ConvS8&&) noexcept = default;

void ConvS8::run(const uint8_t* x_nhwc, void* y_nhwc) {
  s_->src.set_data_handle(const_cast<uint8_t*>(x_nhwc));
  s_->dst.set_data_handle(y_nhwc);
  s_->prim.execute(
      s_->stream,
      {{DNNL_ARG_SRC, s_->src}, {DNNL_ARG_WEIGHTS, s_->weights}, {DNNL_ARG_DST, s_->dst}});
  s_->stream.wait();
}

const std::string& ConvS8::impl() const {
  return s_->impl;
}
double ConvS8::weight_reorder_ms() const {
  return s_->reorder_ms;
}

}  // namespace tnn::kernels::onednn
