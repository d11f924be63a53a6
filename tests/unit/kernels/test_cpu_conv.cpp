// Optimized convolutions (zero-skipping FP32 and W2A8) against the reference for every ISA this
// CPU runs, on random shapes (any stride, pad, kernel size; both the zero-copy and the plane
// copy paths) and edge cases.
#include <catch2/catch.hpp>

#include "kernel_test_util.hpp"
#include "tnn/kernels/cpu.hpp"
#include "tnn/kernels/quant.hpp"
#include "tnn/kernels/ref.hpp"

#include <cfloat>

using namespace tnn::kernels;
using namespace tnn::kernels::testing;

namespace {

struct ConvCase {
  ConvShape shape;
  WeightSpec spec;
  bool relu;
};

std::vector<ConvCase> conv_cases() {
  std::mt19937 rng(2024);
  auto pick = [&](int lo, int hi) {
    return int64_t(std::uniform_int_distribution<int>(lo, hi)(rng));
  };
  auto shape = [](int64_t n, int64_t h, int64_t w, int64_t c, int64_t k, int64_t kh, int64_t s,
                  int64_t p) {
    ConvShape sh;
    sh.n = n, sh.h = h, sh.w = w, sh.c = c, sh.k = k, sh.kh = sh.kw = kh, sh.stride = s, sh.pad = p;
    return sh;
  };
  std::vector<ConvCase> cases = {
      {shape(1, 32, 32, 16, 16, 3, 1, 1), {0.4, 1, false, false}, true},  // ResNet-20 stage 1
      {shape(2, 8, 8, 64, 64, 3, 1, 1), {0.45, 1, true, false}, true},    // stage 3, batch 2
      {shape(1, 32, 32, 16, 32, 3, 2, 1), {0.4, 2, true, true}, false},   // stride 2, 2 terms
      {shape(1, 32, 32, 3, 16, 3, 1, 1), {0.0, 1, false, false}, true},   // the stem, no zeros
      {shape(1, 7, 7, 20, 17, 3, 1, 1), {1.0, 1, false, false}, true},    // all zeros
      {shape(3, 14, 14, 24, 40, 1, 2, 0), {0.4, 1, true, false}, false},  // 1x1 stride 2
      {shape(1, 9, 11, 5, 6, 1, 1, 0), {0.3, 3, true, true}, true},       // 1x1 stride 1
      {shape(1, 1, 1, 4, 4, 3, 1, 1), {0.2, 1, false, false}, false},     // 1x1 image
      {shape(1, 15, 13, 3, 8, 5, 2, 2), {0.3, 1, false, false}, false},   // 5x5, phase planes
      {shape(2, 10, 9, 4, 5, 3, 1, 0), {0.3, 1, false, false}, true},     // "valid": per-kx planes
      {shape(1, 13, 13, 6, 7, 3, 3, 0), {0.5, 2, true, true}, false},     // stride 3, per-kx
  };
  for (int i = 0; i < 30; ++i) {
    ConvShape s = shape(pick(1, 3), pick(1, 13), pick(1, 13), pick(1, 20), pick(1, 40),
                        pick(0, 2) * 2 + 1, pick(1, 3), pick(0, 2));
    if (pick(0, 3) == 0) s.kw = pick(1, 3);  // rectangular kernels too
    if (s.oh() < 1 || s.ow() < 1) continue;
    cases.push_back({s,
                     {std::uniform_real_distribution<double>(0, 1)(rng), int(pick(1, 4)),
                      pick(0, 1) == 1, pick(0, 1) == 1},
                     pick(0, 1) == 1});
  }
  return cases;
}

std::vector<float> reference_f32(const ConvCase& c, const TernaryWeights& w, const Epilogue& ep,
                                 const std::vector<float>& x) {
  const ConvShape& s = c.shape;
  std::vector<float> y(size_t(s.n * s.oh() * s.ow() * s.k));
  ref::conv2d(s, x.data(), w, y.data());
  ref::apply_epilogue(ep, y.data(), s.n * s.oh() * s.ow(), s.k);
  return y;
}

}  // namespace

TEST_CASE("cpu: zero-skipping FP32 conv is bit-exact on small integers", "[cpu][conv]") {
  std::mt19937 rng(11);
  for (Isa isa : supported_isas()) {
    DYNAMIC_SECTION(isa_label(isa)) {
      for (const auto& c : conv_cases()) {
        const ConvShape& s = c.shape;
        INFO(s.str() << " zeros=" << c.spec.zero_fraction << " terms=" << c.spec.terms
                     << (c.spec.asymmetric ? " asym" : ""));
        auto w = random_ternary(s.k, s.patch(), c.spec, rng);
        auto ep = exact_epilogue(s.k, c.relu, rng);
        auto x = small_int_floats(s.n * s.h * s.w * s.c, 8, rng);
        const auto want = reference_f32(c, w, ep, x);
        std::vector<float> got(want.size(), -7.0f);
        const ConvF32Plan plan = prepare_conv_f32(s, w, ep);
        CHECK(plan.copied_planes <= int64_t(plan.planes.size()));
        conv_f32_nhwc(plan, x.data(), got.data(), s.n, isa);
        CHECK(count_mismatches(want, got) == 0);
      }
    }
  }
}

TEST_CASE("cpu: dense FP32 conv through the same kernel is bit-exact", "[cpu][conv]") {
  std::mt19937 rng(12);
  for (Isa isa : supported_isas()) {
    DYNAMIC_SECTION(isa_label(isa)) {
      for (const auto& c : conv_cases()) {
        const ConvShape& s = c.shape;
        INFO(s.str());
        auto wd = small_int_floats(s.k * s.patch(), 3, rng);
        auto ep = exact_epilogue(s.k, c.relu, rng);
        auto x = small_int_floats(s.n * s.h * s.w * s.c, 8, rng);
        std::vector<float> want(size_t(s.n * s.oh() * s.ow() * s.k)), got(want.size());
        ref::conv2d_dense(s, x.data(), wd.data(), want.data());
        ref::apply_epilogue(ep, want.data(), s.n * s.oh() * s.ow(), s.k);
        conv_f32_nhwc(prepare_conv_f32_dense(s, wd, ep), x.data(), got.data(), s.n, isa);
        CHECK(count_mismatches(want, got) == 0);
      }
    }
  }
}

TEST_CASE("cpu: FP32 conv on random floats stays within a K-scaled bound", "[cpu][conv]") {
  std::mt19937 rng(13);
  ConvShape s;
  s.n = 2, s.h = s.w = 16, s.c = 32, s.k = 32;
  auto w = random_ternary(s.k, s.patch(), {0.4, 2, true, true}, rng);
  auto x = random_floats(s.n * s.h * s.w * s.c, rng);
  std::vector<float> want(size_t(s.n * s.oh() * s.ow() * s.k)), got(want.size());
  ref::conv2d(s, x.data(), w, want.data());
  double max_abs = 0;
  for (float v : x) max_abs = std::max(max_abs, double(std::fabs(v)));
  // |error| <= c * K * eps * sum|x| with sum|x| <= K * max|x| and scales <= 2 per term.
  const double bound = 4.0 * double(s.patch()) * FLT_EPSILON * double(s.patch()) * max_abs * 4;
  for (Isa isa : supported_isas()) {
    conv_f32_nhwc(prepare_conv_f32(s, w), x.data(), got.data(), s.n, isa);
    double worst = 0;
    for (size_t i = 0; i < want.size(); ++i)
      worst = std::max(worst, double(std::fabs(want[i] - got[i])));
    INFO(isa_label(isa) << " worst error " << worst << " bound " << bound);
    CHECK(worst <= bound);
  }
}

TEST_CASE("cpu: W2A8 conv is bit-exact against the reference", "[cpu][conv]") {
  std::mt19937 rng(21);
  for (Isa isa : supported_isas()) {
    DYNAMIC_SECTION(isa_label(isa)) {
      for (const auto& c : conv_cases()) {
        const ConvShape& s = c.shape;
        for (int64_t multiple : {4, 16}) {
          const int32_t zp = multiple == 4 ? 128 : 0;
          INFO(s.str() << " cp multiple " << multiple << " zero_point " << zp << " terms "
                       << c.spec.terms << (c.spec.asymmetric ? " asym" : ""));
          auto w = random_ternary(s.k, s.patch(), c.spec, rng);
          auto ep = exact_epilogue(s.k, c.relu, rng);
          auto xq = random_u8(s.n * s.h * s.w * s.c, rng);
          const QuantParams qp{0.5f, zp};
          std::vector<float> want(size_t(s.n * s.oh() * s.ow() * s.k)), got(want.size(), -7.0f);
          ref::conv2d_w2a8(s, xq.data(), qp, w, want.data());
          ref::apply_epilogue(ep, want.data(), s.n * s.oh() * s.ow(), s.k);
          const auto plan = prepare_conv_w2a8(s, w, round_up(s.c, multiple), ep);
          conv_w2a8_nhwc(plan, xq.data(), qp, got.data(), s.n, isa);
          CHECK(count_mismatches(want, got) == 0);
        }
      }
    }
  }
}

TEST_CASE("cpu: W2A8 conv with u8 output requantizes within one step", "[cpu][conv]") {
  std::mt19937 rng(22);
  ConvShape s;
  s.n = 2, s.h = s.w = 8, s.c = 16, s.k = 24, s.stride = 1;
  auto w = random_ternary(s.k, s.patch(), {0.4, 1, true, false}, rng);
  Epilogue ep;
  ep.relu = true;
  auto xq = random_u8(s.n * s.h * s.w * s.c, rng);
  const QuantParams in_qp{0.05f, 0}, out_qp{0.4f, 0};
  std::vector<float> ref_f(size_t(s.n * s.oh() * s.ow() * s.k));
  ref::conv2d_w2a8(s, xq.data(), in_qp, w, ref_f.data());
  ref::apply_epilogue(ep, ref_f.data(), s.n * s.oh() * s.ow(), s.k);
  const U8Layout in_l = U8Layout::make(s.c, s.h, s.w, 16, 1);
  const U8Layout out_l = U8Layout::make(s.k, s.oh(), s.ow(), 16, 1);
  AlignedBuffer<uint8_t> in(size_t(in_l.buffer_bytes(s.n)));
  nhwc_to_u8_layout(xq.data(), s.n, in_l, 0, in.data());
  const auto plan = prepare_conv_w2a8(s, w, in_l.cp, ep);
  for (Isa isa : supported_isas()) {
    AlignedBuffer<uint8_t> out(size_t(out_l.buffer_bytes(s.n)));
    fill_u8_border(out.data(), s.n, out_l, 0);
    W2A8Output o;
    o.u8 = out.data();
    o.layout = out_l;
    o.qp = out_qp;
    conv_w2a8(plan, in.data(), in_l, in_qp, o, s.n, isa);
    int worst = 0;
    for (int64_t i = 0; i < s.n; ++i)
      for (int64_t y = 0; y < s.oh(); ++y)
        for (int64_t x = 0; x < s.ow(); ++x)
          for (int64_t k = 0; k < s.k; ++k) {
            const float r = ref_f[size_t(((i * s.oh() + y) * s.ow() + x) * s.k + k)];
            const int want = quantize_one(r, out_qp);
            worst = std::max(worst, std::abs(want - int(out[size_t(out_l.at(i, y, x, k))])));
          }
    INFO(isa_label(isa));
    CHECK(worst <= 1);
    // The border still holds the zero point (convs never write it).
    CHECK(out[size_t(out_l.at(0, -1, -1, 0))] == 0);
  }
}
