// ternary_s8 backend (W2A8): u8 activations in the padded NHWC layout (layout.hpp), one static
// per-tensor QuantParams each (from calibration), VNNI ternary convs that requantize into the
// next tensor in their epilogue.
#include "backend.hpp"

#include "tnn/kernels/cpu.hpp"
#include "tnn/kernels/quant.hpp"
#include "tnn/kernels/ref.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

namespace tnn::kernels::engine_detail {

namespace {

U8Layout u8_layout(const TensorShape& s, int64_t border) {
  return U8Layout::make(s.c, s.h, s.w, s.c < 16 ? 4 : 16, border);
}

class S8Backend : public Backend {
 public:
  S8Backend(const Graph& g, Isa isa, const std::vector<QuantParams>& qp)
      : g_(g), isa_(resolve_isa(isa)), qp_(qp), border_(g.shapes.size(), 1) {
    // Every tensor carries a zero-point border as wide as its widest consumer conv pads.
    for (const auto& op : g.ops)
      if (op.node->op == OpType::kConv2d)
        border_[size_t(op.in[0])] = std::max(border_[size_t(op.in[0])], op.node->pad);
    convs_.resize(g.ops.size());
    dense_convs_.resize(g.ops.size());
    vnni_.resize(g.ops.size());
    for (size_t i = 0; i < g.ops.size(); ++i) {
      const Node& node = *g.ops[i].node;
      const TensorShape& in = g.shapes[size_t(g.ops[i].in[0])];
      const Epilogue ep{node.affine_mul, node.affine_add, node.relu};
      if (node.op == OpType::kConv2d) {
        const ConvShape s = conv_shape(node, in);
        if (node.weights.ternary)
          convs_[i] = std::make_unique<ConvW2A8Plan>(
              prepare_conv_w2a8(s, node.weights.tern, layout(g.ops[i].in[0]).cp, ep));
        else
          dense_convs_[i] =
              std::make_unique<ConvF32Plan>(prepare_conv_f32_dense(s, node.weights.dense, ep));
      } else if (node.op == OpType::kLinear && node.weights.ternary) {
        vnni_[i] = std::make_unique<VnniMatrix>(
            prepack_vnni(node.weights.tern, Epilogue{{}, node.bias, false}));
      }
    }
  }

  void run(const float* images, int64_t n, float* out) override {
    allocate(n);
    {  // quantize the images, then place their pixels in the padded input tensor
      const U8Layout l = layout(g_.input);
      staging_.resize(size_t(n * l.h * l.w * l.c));
      quantize_u8(images, int64_t(staging_.size()), qp_[size_t(g_.input)], staging_.data(), isa_);
      uint8_t* dst = bytes(g_.input);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t y = 0; y < l.h; ++y)
          for (int64_t x = 0; x < l.w; ++x)
            std::memcpy(dst + l.at(i, y, x, 0), staging_.data() + ((i * l.h + y) * l.w + x) * l.c,
                        size_t(l.c));
    }
    for (size_t i = 0; i < g_.ops.size(); ++i) {
      const auto& op = g_.ops[i];
      const Node& node = *op.node;
      const int a = op.in[0], o = op.out;
      switch (node.op) {
        case OpType::kConv2d:
          if (convs_[i]) {
            W2A8Output dst;
            dst.u8 = bytes(o);
            dst.layout = layout(o);
            dst.qp = qp_[size_t(o)];
            conv_w2a8(*convs_[i], bytes(a), layout(a), qp_[size_t(a)], dst, n, isa_);
          } else {
            dense_conv(*dense_convs_[i], a, o, n);
          }
          break;
        case OpType::kShortcutA:
          shortcut(a, o, n, node);
          break;
        case OpType::kAdd:
          add(a, op.in[1], o, n, node.relu);
          break;
        case OpType::kGlobalAvgPool:
          avgpool(a, n, floats(o));
          break;
        case OpType::kLinear:
          linear(i, a, o, n);
          break;
      }
    }
    const int out_id = g_.output;
    if (g_.is_vector[size_t(out_id)]) {
      std::copy(floats(out_id), floats(out_id) + n * g_.numel(out_id), out);
    } else {
      const U8Layout l = layout(out_id);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t y = 0; y < l.h; ++y)
          for (int64_t x = 0; x < l.w; ++x)
            dequantize(bytes(out_id) + l.at(i, y, x, 0), l.c, qp_[size_t(out_id)],
                       out + ((i * l.h + y) * l.w + x) * l.c);
    }
  }

  std::string describe() const override {
    std::ostringstream o;
    o << "ternary_s8: u8 activations (padded NHWC), static per-tensor scales, ISA "
      << isa_name(isa_) << "\n";
    for (size_t i = 0; i < g_.ops.size(); ++i) {
      const auto& op = g_.ops[i];
      const QuantParams& q = qp_[size_t(op.out)];
      o << "  " << op.node->name << " (" << op_name(op.node->op) << ")";
      if (convs_[i]) o << ": W2A8 VNNI conv, " << convs_[i]->weight_bytes() << " B";
      if (dense_convs_[i]) o << ": dense FP32 conv between dequantize and quantize";
      if (vnni_[i]) o << ": W2A8 GEMM, input quantized per batch";
      if (!g_.is_vector[size_t(op.out)])
        o << "; out scale " << q.scale << " zero point " << q.zero_point;
      o << "\n";
    }
    return o.str();
  }

 private:
  uint8_t* bytes(int id) { return u8_[size_t(id)].data(); }
  U8Layout layout(int id) const { return u8_layout(g_.shapes[size_t(id)], border_[size_t(id)]); }
  float* floats(int id) { return f32_[size_t(id)].data(); }

  void allocate(int64_t n) {
    if (n <= allocated_) return;
    u8_.clear();
    f32_.clear();
    for (size_t id = 0; id < g_.shapes.size(); ++id) {
      const TensorShape& s = g_.shapes[id];
      if (g_.is_vector[id]) {
        u8_.emplace_back(0);
        f32_.emplace_back(size_t(n * s.c));
      } else {
        const U8Layout l = layout(int(id));
        u8_.emplace_back(size_t(l.buffer_bytes(n)));
        fill_u8_border(u8_.back().data(), n, l, uint8_t(qp_[id].zero_point));
        f32_.emplace_back(0);
      }
    }
    allocated_ = n;
  }

  // FP32 layers inside the int8 graph: dequantize -> FP32 conv -> quantize.
  void dense_conv(const ConvF32Plan& plan, int a, int o, int64_t n) {
    const TensorShape& in = g_.shapes[size_t(a)];
    const TensorShape& os = g_.shapes[size_t(o)];
    const PlanarLayout pi{in.c, in.h, in.w}, po{os.c, os.h, os.w};
    AlignedBuffer<float> x(size_t(pi.buffer_floats(n))), y(size_t(po.buffer_floats(n)));
    const U8Layout li = layout(a), lo = layout(o);
    const QuantParams qi = qp_[size_t(a)], qo = qp_[size_t(o)];
    for (int64_t i = 0; i < n; ++i)
      for (int64_t c = 0; c < in.c; ++c)
        for (int64_t yy = 0; yy < in.h; ++yy)
          for (int64_t xx = 0; xx < in.w; ++xx)
            x[size_t(pi.at(i, c, yy, xx))] =
                qi.scale * float(int32_t(bytes(a)[li.at(i, yy, xx, c)]) - qi.zero_point);
    conv_f32_planar(plan, x.data(), y.data(), n, isa_);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t c = 0; c < os.c; ++c)
        for (int64_t yy = 0; yy < os.h; ++yy)
          for (int64_t xx = 0; xx < os.w; ++xx)
            bytes(o)[lo.at(i, yy, xx, c)] = quantize_one(y[size_t(po.at(i, c, yy, xx))], qo);
  }

  // Same scale in and out (calibration makes sure), so a byte copy; new channels = zero point.
  void shortcut(int a, int o, int64_t n, const Node& node) {
    const U8Layout li = layout(a), lo = layout(o);
    const uint8_t zp = uint8_t(qp_[size_t(o)].zero_point);
    const uint8_t* x = bytes(a);
    uint8_t* y = bytes(o);
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t oy = 0; oy < lo.h; ++oy)
        for (int64_t ox = 0; ox < lo.w; ++ox) {
          uint8_t* dst = y + lo.at(i, oy, ox, 0);
          std::fill(dst, dst + lo.c, zp);
          std::copy_n(x + li.at(i, oy * node.stride, ox * node.stride, 0), li.c,
                      dst + node.pad_front);
        }
  }

  // Zero-point bytes (borders, extra channels) dequantize to 0 and requantize to the output's
  // zero point, so with identical layouts one pass over whole buffers is exact; otherwise rows.
  void add(int a, int b, int o, int64_t n, bool relu) {
    const U8Layout l = layout(o), la = layout(a), lb = layout(b);
    const QuantParams qa = qp_[size_t(a)], qb = qp_[size_t(b)], qo = qp_[size_t(o)];
    if (la.border == l.border && lb.border == l.border) {
      add_requantize_u8(bytes(a), qa, bytes(b), qb, bytes(o), qo, n * l.image_stride(), relu, isa_);
      return;
    }
    for (int64_t i = 0; i < n; ++i)
      for (int64_t yy = 0; yy < l.h; ++yy)
        add_requantize_u8(bytes(a) + la.at(i, yy, 0, 0), qa, bytes(b) + lb.at(i, yy, 0, 0), qb,
                          bytes(o) + l.at(i, yy, 0, 0), qo, l.w * l.cp, relu, isa_);
  }

  void avgpool(int a, int64_t n, float* y) {
    const U8Layout l = layout(a);
    const QuantParams q = qp_[size_t(a)];
    for (int64_t i = 0; i < n; ++i)
      for (int64_t c = 0; c < l.c; ++c) {
        int64_t sum = 0;
        for (int64_t yy = 0; yy < l.h; ++yy)
          for (int64_t xx = 0; xx < l.w; ++xx) sum += bytes(a)[l.at(i, yy, xx, c)];
        const double mean = double(sum) / double(l.h * l.w) - q.zero_point;
        y[i * l.c + c] = float(q.scale * mean);
      }
  }

  void linear(size_t i, int a, int o, int64_t n) {
    const Node& node = *g_.ops[i].node;
    const TensorShape& in = g_.shapes[size_t(a)];
    const TensorShape& os = g_.shapes[size_t(o)];
    if (!vnni_[i]) {
      ref::gemm_dense(node.weights.dense.data(), os.c, in.c, floats(a), n, floats(o));
      add_bias(floats(o), n, node.bias);
      return;
    }
    // Dynamic per-tensor quantization of the (small) classifier input.
    const QuantParams q = choose_quant_params(floats(a), n * in.c);
    std::vector<uint8_t> xq(size_t(n * in.c));
    quantize(floats(a), n * in.c, q, xq.data());
    gemm_w2a8(*vnni_[i], xq.data(), n, q, floats(o), isa_);
  }

  const Graph& g_;
  Isa isa_;
  std::vector<QuantParams> qp_;
  std::vector<int64_t> border_;
  std::vector<std::unique_ptr<ConvW2A8Plan>> convs_;
  std::vector<std::unique_ptr<ConvF32Plan>> dense_convs_;
  std::vector<std::unique_ptr<VnniMatrix>> vnni_;
  std::vector<AlignedBuffer<uint8_t>> u8_;
  std::vector<AlignedBuffer<float>> f32_;
  std::vector<uint8_t> staging_;  // quantized images before they get their border
  int64_t allocated_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_s8_backend(const Graph& g, Isa isa,
                                         const std::vector<QuantParams>& tensor_params) {
  return std::make_unique<S8Backend>(g, isa, tensor_params);
}

}  // namespace tnn::kernels::engine_detail
