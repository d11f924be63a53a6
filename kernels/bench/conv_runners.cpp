#include "conv_runners.hpp"

#include "tnn/kernels/cpu.hpp"
#include "tnn/kernels/layout.hpp"
#include "tnn/kernels/pack.hpp"
#include "tnn/kernels/ref.hpp"
#ifdef TNN_HAVE_ONEDNN
#include "tnn/kernels/onednn.hpp"
#endif

#include <algorithm>
#include <stdexcept>

namespace tnn::kernels::bench {

namespace {

constexpr float kActScale = 0.05f;  // u8 activations: scale of every int8 tensor (timing only)

std::vector<float> random_nhwc(int64_t count, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(0.0f, 4.0f);  // post-ReLU-like
  std::vector<float> x(static_cast<size_t>(count));
  for (auto& v : x) v = u(rng);
  return x;
}

class RefRunner : public ConvRunner {
 public:
  RefRunner(const ConvShape& s, const TernaryWeights& w)
      : s_(s),
        codes_(unpack_ternary(w.terms[0].codes.data(), size_t(w.rows), size_t(w.cols))),
        sp_(w.terms[0].scale_pos) {
    weight_bytes = double(codes_.size());
    label = "reference loops";
  }
  size_t input_bytes() const override { return size_t(s_.n * s_.h * s_.w * s_.c) * 4; }
  size_t output_bytes() const override { return size_t(s_.n * s_.oh() * s_.ow() * s_.k) * 4; }
  void fill_input(void* buf, std::mt19937& rng) const override {
    const auto x = random_nhwc(s_.n * s_.h * s_.w * s_.c, rng);
    std::copy(x.begin(), x.end(), static_cast<float*>(buf));
  }
  void init_output(void*) const override {}
  void run(const void* in, void* out) override {
    ref::TernaryView v{codes_.data(), s_.k, s_.patch(), sp_.data(), sp_.data(), sp_.size() > 1};
    ref::conv2d(s_, static_cast<const float*>(in), v, static_cast<float*>(out));
    Epilogue ep;
    ep.relu = true;
    ref::apply_epilogue(ep, static_cast<float*>(out), s_.n * s_.oh() * s_.ow(), s_.k);
  }

 private:
  ConvShape s_;
  std::vector<int8_t> codes_;
  std::vector<float> sp_;
};

class TernaryF32Runner : public ConvRunner {
 public:
  TernaryF32Runner(const ConvShape& s, const TernaryWeights& w)
      : s_(s), plan_(prepare_conv_f32(s, w, Epilogue{{}, {}, true})) {
    weight_bytes = double(plan_.entry_bytes());
    label = std::to_string(plan_.copied_planes) + "/" + std::to_string(plan_.planes.size()) +
            " tap planes copied";
  }
  size_t input_bytes() const override { return size_t(in_l().buffer_floats(s_.n)) * 4; }
  size_t output_bytes() const override { return size_t(out_l().buffer_floats(s_.n)) * 4; }
  void fill_input(void* buf, std::mt19937& rng) const override {
    const auto x = random_nhwc(s_.n * s_.h * s_.w * s_.c, rng);
    nhwc_to_planar(x.data(), s_.n, in_l(), static_cast<float*>(buf));
  }
  void init_output(void*) const override {}  // zeroed buffers: the planes' zero rows
  void run(const void* in, void* out) override {
    conv_f32_planar(plan_, static_cast<const float*>(in), static_cast<float*>(out), s_.n);
  }

 private:
  PlanarLayout in_l() const { return {s_.c, s_.h, s_.w}; }
  PlanarLayout out_l() const { return {s_.k, s_.oh(), s_.ow()}; }
  ConvShape s_;
  ConvF32Plan plan_;
};

U8Layout u8_layout(int64_t c, int64_t h, int64_t w, int64_t border) {
  return U8Layout::make(c, h, w, c < 16 ? 4 : 16, std::max<int64_t>(border, 1));
}

class TernaryS8Runner : public ConvRunner {
 public:
  TernaryS8Runner(const ConvShape& s, const TernaryWeights& w)
      : s_(s),
        in_(u8_layout(s.c, s.h, s.w, s.pad)),
        out_(u8_layout(s.k, s.oh(), s.ow(), 1)),
        plan_(prepare_conv_w2a8(s, w, in_.cp, Epilogue{{}, {}, true})) {
    weight_bytes = double(plan_.weight_bytes());
    label = "W2A8 vpdpbusd";
  }
  size_t input_bytes() const override { return size_t(in_.buffer_bytes(s_.n)); }
  size_t output_bytes() const override { return size_t(out_.buffer_bytes(s_.n)); }
  void fill_input(void* buf, std::mt19937& rng) const override {
    auto* b = static_cast<uint8_t*>(buf);
    fill_u8_border(b, s_.n, in_, 0);
    for (int64_t i = 0; i < s_.n; ++i)
      for (int64_t y = 0; y < s_.h; ++y)
        for (int64_t x = 0; x < s_.w; ++x)
          for (int64_t c = 0; c < s_.c; ++c) b[in_.at(i, y, x, c)] = uint8_t(rng() % 80);
  }
  void init_output(void* buf) const override {
    fill_u8_border(static_cast<uint8_t*>(buf), s_.n, out_, 0);
  }
  void run(const void* in, void* out) override {
    W2A8Output o;
    o.u8 = static_cast<uint8_t*>(out);
    o.layout = out_;
    o.qp = {kActScale, 0};
    conv_w2a8(plan_, static_cast<const uint8_t*>(in), in_, {kActScale, 0}, o, s_.n);
  }

 private:
  ConvShape s_;
  U8Layout in_, out_;
  ConvW2A8Plan plan_;
};

#ifdef TNN_HAVE_ONEDNN
class OnednnF32Runner : public ConvRunner {
 public:
  OnednnF32Runner(const ConvShape& s, const TernaryWeights& w)
      : s_(s), conv_(s, w.dense().data(), nullptr, true) {
    weight_bytes = double(s.k * s.patch() * 4);
    label = conv_.impl();
  }
  size_t input_bytes() const override { return size_t(s_.n * s_.h * s_.w * s_.c) * 4; }
  size_t output_bytes() const override { return size_t(s_.n * s_.oh() * s_.ow() * s_.k) * 4; }
  void fill_input(void* buf, std::mt19937& rng) const override {
    const auto x = random_nhwc(s_.n * s_.h * s_.w * s_.c, rng);
    std::copy(x.begin(), x.end(), static_cast<float*>(buf));
  }
  void init_output(void*) const override {}
  void run(const void* in, void* out) override {
    conv_.run(static_cast<const float*>(in), static_cast<float*>(out));
  }

 private:
  ConvShape s_;
  onednn::ConvF32 conv_;
};

class OnednnS8Runner : public ConvRunner {
 public:
  OnednnS8Runner(const ConvShape& s, const TernaryWeights& w) : s_(s) {
    const auto codes = unpack_ternary(w.terms[0].codes.data(), size_t(w.rows), size_t(w.cols));
    std::vector<float> scales(size_t(s.k));
    for (int64_t k = 0; k < s.k; ++k) scales[size_t(k)] = kActScale * w.pos(0, k) / kActScale;
    conv_ = std::make_unique<onednn::ConvS8>(s, codes.data(), scales.data(), s.k, true, true);
    weight_bytes = double(s.k * s.patch());
    label = conv_->impl();
  }
  size_t input_bytes() const override { return size_t(s_.n * s_.h * s_.w * s_.c); }
  size_t output_bytes() const override { return size_t(s_.n * s_.oh() * s_.ow() * s_.k); }
  void fill_input(void* buf, std::mt19937& rng) const override {
    auto* b = static_cast<uint8_t*>(buf);
    for (size_t i = 0; i < input_bytes(); ++i) b[i] = uint8_t(rng() % 80);
  }
  void init_output(void*) const override {}
  void run(const void* in, void* out) override { conv_->run(static_cast<const uint8_t*>(in), out); }

 private:
  ConvShape s_;
  std::unique_ptr<onednn::ConvS8> conv_;
};
#endif

}  // namespace

bool impl_available(const std::string& impl) {
#ifdef TNN_HAVE_ONEDNN
  return impl == "ref" || impl == "ternary_f32" || impl == "ternary_s8" || impl == "onednn_f32" ||
         impl == "onednn_s8";
#else
  return impl == "ref" || impl == "ternary_f32" || impl == "ternary_s8";
#endif
}

std::unique_ptr<ConvRunner> make_conv_runner(const std::string& impl, const ConvShape& s,
                                             const TernaryWeights& w) {
  if (impl == "ref") return std::make_unique<RefRunner>(s, w);
  if (impl == "ternary_f32") return std::make_unique<TernaryF32Runner>(s, w);
  if (impl == "ternary_s8") return std::make_unique<TernaryS8Runner>(s, w);
#ifdef TNN_HAVE_ONEDNN
  if (impl == "onednn_f32") return std::make_unique<OnednnF32Runner>(s, w);
  if (impl == "onednn_s8") return std::make_unique<OnednnS8Runner>(s, w);
#endif
  throw std::invalid_argument("no conv implementation '" + impl + "' in this build");
}

TernaryWeights random_conv_weights(const ConvShape& s, double zeros, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<int8_t> codes(static_cast<size_t>(s.k * s.patch()));
  for (auto& c : codes) c = u(rng) < zeros ? 0 : (u(rng) < 0.5 ? 1 : -1);
  std::vector<float> scale(static_cast<size_t>(s.k));
  for (auto& v : scale) v = float(0.02 + 0.05 * u(rng));
  return make_ternary(s.k, s.patch(), {codes}, {scale}, {scale});
}

}  // namespace tnn::kernels::bench
