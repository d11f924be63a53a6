// ternary_s8 conv: the W2A8 kernels (one per ISA, conv_w2a8_<isa>.cpp) on the padded u8 NHWC
// layout behind a Kernel. Output: u8 requantized in the epilogue, or FP32 NHWC.
#include "../common.hpp"
#include "conv_kernels.hpp"

namespace tnn::kernels::ops {

namespace {

U8Layout u8_layout(const Layout& l) {
  U8Layout u;
  u.c = l.c;
  u.h = l.h;
  u.w = l.w;
  u.cp = l.kind == LayoutKind::kPaddedU8 ? l.cp : l.c;
  u.border = l.border;
  return u;
}

class W2A8ConvKernel : public Kernel {
 public:
  W2A8ConvKernel(const Problem& p, cpu::ConvW2A8Fn fn, bool unpack)
      : fn_(fn),
        in_(Layout::padded_u8(p.shape.h, p.shape.w, p.shape.c, p.in_border)),
        out_(p.out_dtype == DType::kU8
                 ? Layout::padded_u8(p.shape.oh(), p.shape.ow(), p.shape.k, p.out_border)
                 : Layout::nhwc(DType::kF32, p.shape.oh(), p.shape.ow(), p.shape.k)),
        in_q_(p.in_q),
        out_q_(p.out_q),
        plan_(prepare_conv_w2a8(p.shape, *p.ternary, in_.cp, p.epilogue)) {
    const ConvShape& s = plan_.shape;
    const U8Layout in_l = u8_layout(in_);
    quad_offset_.assign(plan_.quad_tap.size(), 0);
    for (size_t q = 0; q < quad_offset_.size(); ++q) {
      const int64_t tap = plan_.quad_tap[q];
      if (tap < 0) continue;
      quad_offset_[q] = int32_t((tap / s.kw) * in_l.row_stride() + (tap % s.kw) * in_l.cp +
                                plan_.quad_channel[q]);
    }
    fold();
    if (unpack) unpack_weights();
  }
  Layout input_layout(int) const override { return in_; }
  Layout output_layout() const override { return out_; }
  size_t weight_bytes() const override {
    return unpacked_.empty() ? plan_.weight_bytes() : unpacked_.size() * unpacked_[0].size();
  }
  std::string describe() const override {
    return unpacked_.empty() ? "W2A8, 2-bit codes unpacked per register tile"
                             : "W2A8, weights unpacked to s8 at load";
  }

  void run(const RunArgs& a) override {
    const ConvShape& s = plan_.shape;
    const U8Layout in_l = u8_layout(in_), out_l = u8_layout(out_);
    cpu::ConvW2A8View v{};
    v.k = s.k;
    v.kblocks = plan_.kblocks;
    v.blocks = plan_.blocks;
    v.oh = s.oh();
    v.ow = s.ow();
    v.comps = int(plan_.codes.size());
    for (int c = 0; c < v.comps; ++c) {
      v.codes[c] = plan_.codes[size_t(c)].data();
      v.unpacked[c] = unpacked_.empty() ? nullptr : unpacked_[size_t(c)].data();
      v.scale[c] = plan_.scale[size_t(c)].data();
      v.wsum[c] = plan_.wsum[size_t(c)].data();
    }
    v.quad_offset = quad_offset_.data();
    v.ep = epilogue_view(plan_.epilogue);
    v.in_image = in_l.image_stride();
    v.in_row = s.stride * in_l.row_stride();
    v.in_pix = s.stride * in_l.cp;
    v.in_scale = in_q_.scale;
    v.in_zero_point = in_q_.zero_point;
    const int64_t out_base = out_l.at(0, 0, 0, 0);
    const bool to_u8 = out_.dtype == DType::kU8;
    v.out_f32 = to_u8 ? nullptr : static_cast<float*>(a.out) + out_base;
    v.out_u8 = to_u8 ? static_cast<uint8_t*>(a.out) + out_base : nullptr;
    v.out_image = out_l.image_stride();
    v.out_row = out_l.row_stride();
    v.out_pix = out_l.cp;
    v.out_inv_scale = 1.0f / out_q_.scale;
    v.out_zero_point = out_q_.zero_point;
    if (v.comps == 1) {
      v.fold_scale = fold_scale_.data();
      v.fold_bias = fold_bias_.data();
      v.fold_low = fold_low_;
    }
    // Pixel (0, 0) reads its first tap at row/column border - pad of the padded input.
    const uint8_t* first =
        static_cast<const uint8_t*>(a.in) + (in_l.border - s.pad) * (in_l.row_stride() + in_l.cp);
    fn_(v, first, a.n);
  }

 private:
  // Single component: fold input scale, weight scale, affine, output scale and zero points:
  // r = mul*(in_scale*scale*(acc - zp_in*wsum)) + add, q = r/out_scale + zp_out.
  void fold() {
    if (plan_.codes.size() != 1) return;
    const int64_t pk = plan_.kblocks * 16;
    const bool to_u8 = out_.dtype == DType::kU8;
    const float inv = to_u8 ? 1.0f / out_q_.scale : 1.0f;
    const float zp = to_u8 ? float(out_q_.zero_point) : 0.0f;
    fold_scale_.resize(size_t(pk));
    fold_bias_.resize(size_t(pk));
    for (int64_t k = 0; k < pk; ++k) {
      const float mul = plan_.epilogue.mul[size_t(k)], add = plan_.epilogue.add[size_t(k)];
      const float sc = mul * (in_q_.scale * plan_.scale[0][size_t(k)]);
      fold_scale_[size_t(k)] = sc * inv;
      fold_bias_[size_t(k)] =
          (add - sc * float(int64_t(in_q_.zero_point) * plan_.wsum[0][size_t(k)])) * inv + zp;
    }
    fold_low_ = to_u8 ? (plan_.epilogue.relu ? zp : 0.0f) : 0.0f;
  }

  // [kb][block][quad][row][j] = code of column (quad, j) of row kb*16 + row, as s8.
  void unpack_weights() {
    for (const auto& codes : plan_.codes) {
      std::vector<int8_t> u(size_t(plan_.kblocks * plan_.blocks * 4 * 64));
      for (int64_t kb = 0; kb < plan_.kblocks; ++kb)
        for (int64_t blk = 0; blk < plan_.blocks; ++blk)
          for (int64_t row = 0; row < 16; ++row) {
            const uint32_t word = codes[size_t((kb * plan_.blocks + blk) * 16 + row)];
            for (int q = 0; q < 4; ++q)
              for (int j = 0; j < 4; ++j)
                u[size_t((((kb * plan_.blocks + blk) * 4 + q) * 16 + row) * 4 + j)] =
                    int8_t(int((word >> (8 * j + 2 * q)) & 3) - 1);
          }
      unpacked_.push_back(std::move(u));
    }
  }

  cpu::ConvW2A8Fn fn_;
  Layout in_, out_;
  QuantParams in_q_, out_q_;
  ConvW2A8Plan plan_;
  std::vector<int32_t> quad_offset_;
  std::vector<float> fold_scale_, fold_bias_;
  float fold_low_ = 0.0f;
  std::vector<std::vector<int8_t>> unpacked_;
};

bool supports_w2a8(const Problem& p, std::string* why) {
  return needs_ternary_terms(p, why) && no_dynamic_quant(p, why);
}

}  // namespace

Impl ternary_conv_w2a8_impl(const char* isa, cpu::ConvW2A8Fn fn) {
  return make_impl(
      Op::kConvW2A8, "ternary_s8", isa, Role::kTernary, supports_w2a8,
      [fn](const Problem& p) { return std::make_unique<W2A8ConvKernel>(p, fn, false); });
}

Impl unpacked_conv_w2a8_impl(const char* isa, cpu::ConvW2A8Fn fn) {
  return make_impl(
      Op::kConvW2A8, "ternary_s8_unpacked", isa, Role::kTernary, supports_w2a8,
      [fn](const Problem& p) { return std::make_unique<W2A8ConvKernel>(p, fn, true); });
}

}  // namespace tnn::kernels::ops
