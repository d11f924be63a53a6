#include "cases.hpp"

#include "tnn/kernels/quant.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace tnn::kernels::test_ops {

namespace {

using ops::DType;
using ops::Op;

struct Gen {
  std::mt19937 rng;
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  }
  bool coin(double p = 0.5) { return uniform(0, 1) < p; }
  float pow2() {
    static const float choices[] = {0.25f, 0.5f, 1.0f, 2.0f};
    return choices[pick(0, 3)];
  }
};

struct WeightSpec {
  double zeros = 0.4;
  int terms = 1;
  bool per_channel = true, asymmetric = false;
};

TernaryWeights ternary(Gen& g, int64_t rows, int64_t cols, const WeightSpec& s, bool exact) {
  std::vector<std::vector<int8_t>> codes;
  std::vector<std::vector<float>> sp, sn;
  for (int t = 0; t < s.terms; ++t) {
    std::vector<int8_t> c(static_cast<size_t>(rows * cols));
    for (auto& v : c) v = g.coin(s.zeros) ? 0 : (g.coin() ? 1 : -1);
    codes.push_back(std::move(c));
    const int64_t n = s.per_channel ? rows : 1;
    std::vector<float> p(static_cast<size_t>(n)), m(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      p[size_t(i)] = exact ? g.pow2() : float(g.uniform(0.01, 2.0));
      m[size_t(i)] = !s.asymmetric ? p[size_t(i)] : exact ? g.pow2() : float(g.uniform(0.01, 2.0));
    }
    sp.push_back(p);
    sn.push_back(m);
  }
  return make_ternary(rows, cols, codes, sp, sn);
}

Epilogue epilogue(Gen& g, int64_t channels, bool exact, bool affine, bool relu) {
  Epilogue e;
  e.relu = relu;
  if (!affine) return e;
  for (int64_t i = 0; i < channels; ++i) {
    e.mul.push_back(exact ? g.pow2() * (g.coin(0.2) ? -1.0f : 1.0f) : float(g.uniform(-2, 2)));
    e.add.push_back(exact ? float(g.pick(-4, 4)) : float(g.uniform(-1, 1)));
  }
  return e;
}

std::vector<float> activations(Gen& g, int64_t count, bool exact) {
  std::vector<float> x(static_cast<size_t>(count));
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (auto& v : x) v = exact ? float(g.pick(-8, 8)) : nd(g.rng);
  return x;
}

std::vector<uint8_t> bytes(Gen& g, int64_t count) {
  std::vector<uint8_t> x(static_cast<size_t>(count));
  for (auto& v : x) v = uint8_t(g.pick(0, 255));
  return x;
}

QuantParams quant(Gen& g, bool exact, int32_t zero_point) {
  return {exact ? g.pow2() : float(g.uniform(0.005, 0.5)), zero_point};
}

// Float mode bound for an FP32 output: 8 K eps (K max|x| max|w| max|mul| + max|add|), w summed
// over terms. Exact mode: 0.
double k_scaled_bound(const Case& c, int64_t k, double xmax) {
  if (c.exact) return 0;
  double wmax = 0;
  if (c.has_ternary) {
    for (size_t t = 0; t < c.tern.terms.size(); ++t) {
      double m = 0;
      for (int64_t r = 0; r < c.tern.rows; ++r)
        m = std::max({m, double(c.tern.pos(t, r)), double(c.tern.neg(t, r))});
      wmax += m;
    }
  } else {
    for (float v : c.dense) wmax = std::max(wmax, double(std::fabs(v)));
  }
  double mul = 1, add = 0;
  for (float v : c.p.epilogue.mul) mul = std::max(mul, double(std::fabs(v)));
  for (float v : c.p.epilogue.add) add = std::max(add, double(std::fabs(v)));
  const double kk = double(std::max<int64_t>(k, 1));
  return 8.0 * kk * FLT_EPSILON * (kk * xmax * wmax * mul + add) + 1e-30;
}

double max_abs(const std::vector<float>& x) {
  double m = 0;
  for (float v : x) m = std::max(m, double(std::fabs(v)));
  return m;
}

// ---------------------------------------------------------------- gemm

struct GemmSpec {
  int64_t rows, cols, n;
  WeightSpec w;
  bool affine = false, relu = false, dense = false, exact = true, dynamic = false;
  int32_t zp = 0;
  const char* label = "random";
  // Edge cases name only what differs from the defaults above (each setter returns *this).
  GemmSpec& with_affine() { return affine = true, *this; }
  GemmSpec& with_relu() { return relu = true, *this; }
  GemmSpec& dense_weights() { return dense = true, *this; }
  GemmSpec& float_mode() { return exact = false, *this; }
  GemmSpec& dynamic_quant() { return dynamic = true, *this; }
  GemmSpec& zero_point(int32_t z) { return zp = z, *this; }
};

GemmSpec gemm_edge(const char* label, int64_t rows, int64_t cols, int64_t n, WeightSpec w) {
  GemmSpec s{rows, cols, n, w};
  s.label = label;
  return s;
}

std::unique_ptr<Case> gemm_case(Gen& g, Op op, const GemmSpec& s) {
  auto c = std::make_unique<Case>();
  c->label = s.label;
  c->exact = s.exact;
  c->p = ops::Problem::gemm(op, s.rows, s.cols, s.n);
  if (s.dense && op == Op::kGemmF32) {
    c->dense = activations(g, s.rows * s.cols, s.exact);
    if (!s.exact)
      for (auto& v : c->dense) v *= 0.1f;
  } else {
    c->has_ternary = true;
    c->tern = ternary(g, s.rows, s.cols, s.w, s.exact);
  }
  c->p.epilogue = epilogue(g, s.rows, s.exact, s.affine, s.relu);
  double xmax;
  if (op == Op::kGemmF32) {
    c->x_f32 = activations(g, s.n * s.cols, s.exact);
    xmax = max_abs(c->x_f32);
  } else {
    c->x_u8 = bytes(g, s.n * s.cols);
    c->p.in_q = quant(g, s.exact, s.zp);
    c->p.dynamic_input_quant = s.dynamic;
    c->call_q = quant(g, s.exact, s.zp == 0 ? 128 : 0);
    xmax = 255.0 * std::max(c->p.in_q.scale, c->call_q.scale);
  }
  c->bound = k_scaled_bound(*c, s.cols, xmax);
  return c;
}

GemmSpec random_gemm(Gen& g, Op op) {
  GemmSpec s;
  s.rows = g.coin(0.1) ? g.pick(71, 300) : g.pick(1, 70);
  s.cols = g.coin(0.1) ? g.pick(151, 1100) : g.pick(1, 150);
  s.n = g.pick(1, 9);
  s.w.zeros = g.coin(0.1) ? (g.coin() ? 0.0 : 1.0) : g.uniform(0, 1);
  s.w.terms = g.pick(1, 4);
  s.w.per_channel = g.coin();
  s.w.asymmetric = g.coin(0.3);
  s.affine = g.coin();
  s.relu = g.coin();
  s.exact = g.coin(0.75);
  s.dense = op == Op::kGemmF32 && g.coin(0.1);
  const int32_t zps[] = {0, 3, 128, 255};
  s.zp = zps[g.pick(0, 3)];
  s.dynamic = op == Op::kGemmW2A8 && g.coin(0.25);
  return s;
}

std::vector<GemmSpec> gemm_edges(Op op) {
  std::vector<GemmSpec> e = {
      gemm_edge("one block", 16, 16, 1, {0.4, 1, false, false}),
      gemm_edge("no zeros, K % 16", 33, 17, 1, {0.0, 1, true, false})
          .with_affine()
          .with_relu()
          .zero_point(3),
      gemm_edge("all zeros", 20, 31, 3, {1.0, 1, false, false})
          .with_affine()
          .with_relu()
          .zero_point(128),
      gemm_edge("2 asym terms", 64, 256, 5, {0.5, 2, true, true}).with_affine(),
      gemm_edge("1x1", 1, 1, 1, {0.0, 1, false, false}),
      gemm_edge("4 terms", 17, 1000, 2, {0.45, 4, true, true})
          .with_affine()
          .with_relu()
          .zero_point(128),
      gemm_edge("float K=4096", 37, 4096, 3, {0.4, 2, true, true}).float_mode().zero_point(128),
      gemm_edge("n=9, K=18", 40, 18, 9, {0.3, 1, true, false}).with_affine(),
      gemm_edge("GEMV 300", 300, 100, 1, {0.45, 1, true, false}),
  };
  if (op == Op::kGemmF32)
    e.push_back(
        gemm_edge("dense weights", 24, 40, 2, {}).with_affine().with_relu().dense_weights());
  if (op == Op::kGemmW2A8)
    e.push_back(gemm_edge("dynamic input quantization", 24, 40, 3, {0.4, 1, true, false})
                    .dynamic_quant()
                    .zero_point(128));
  return e;
}

// ---------------------------------------------------------------- conv

struct ConvSpec {
  ConvShape s;
  WeightSpec w;
  bool affine = true, relu = true, dense = false, exact = true;
  int32_t zp_in = 0, zp_out = 0;
  bool u8_out = false;
  bool residual = false;  // conv_f32: a fused residual add (x2_f32, output shape)
  int64_t in_border = 1, out_border = 1;
  const char* label = "random";
  // Edge cases name only what differs from the defaults above (each setter returns *this).
  ConvSpec& no_affine() { return affine = false, *this; }
  ConvSpec& no_relu() { return relu = false, *this; }
  ConvSpec& dense_weights() { return dense = true, *this; }
  ConvSpec& float_mode() { return exact = false, *this; }
  ConvSpec& zero_points(int32_t in, int32_t out) { return zp_in = in, zp_out = out, *this; }
  ConvSpec& u8_output() { return u8_out = true, *this; }
  ConvSpec& borders(int64_t in, int64_t out) { return in_border = in, out_border = out, *this; }
  ConvSpec& with_residual() { return residual = true, *this; }
};

ConvShape shape(int64_t n, int64_t h, int64_t w, int64_t c, int64_t k, int64_t kh, int64_t st,
                int64_t pad) {
  ConvShape s;
  s.n = n, s.h = h, s.w = w, s.c = c, s.k = k, s.kh = s.kw = kh, s.stride = st, s.pad = pad;
  return s;
}

ConvSpec conv_edge(const char* label, const ConvShape& s, WeightSpec w) {
  ConvSpec sp;
  sp.s = s;
  sp.w = w;
  sp.label = label;
  return sp;
}

std::unique_ptr<Case> conv_case(Gen& g, Op op, const ConvSpec& sp) {
  auto c = std::make_unique<Case>();
  c->label = sp.label;
  c->exact = sp.exact;
  const ConvShape& s = sp.s;
  c->p = ops::Problem::conv(op, s);
  c->p.in_border = std::max(sp.in_border, s.pad);
  c->p.out_border = sp.out_border;
  if (sp.dense && op == Op::kConvF32) {
    c->dense = activations(g, s.k * s.patch(), sp.exact);
    for (auto& v : c->dense) v = sp.exact ? float(int(v) / 3) : v * 0.1f;
  } else {
    c->has_ternary = true;
    c->tern = ternary(g, s.k, s.patch(), sp.w, sp.exact);
  }
  c->p.epilogue = epilogue(g, s.k, sp.exact, sp.affine, sp.relu);
  double xmax;
  if (op == Op::kConvF32) {
    c->x_f32 = activations(g, s.n * s.h * s.w * s.c, sp.exact);
    xmax = max_abs(c->x_f32);
    if (sp.residual) {
      c->p.epilogue.residual = true;
      c->x2_f32 = activations(g, s.n * s.oh() * s.ow() * s.k, sp.exact);
    }
  } else {
    c->x_u8 = bytes(g, s.n * s.h * s.w * s.c);
    c->p.in_q = quant(g, sp.exact, sp.zp_in);
    c->p.out_dtype = sp.u8_out ? DType::kU8 : DType::kF32;
    c->p.out_q = quant(g, sp.exact, sp.zp_out);
    xmax = 255.0 * c->p.in_q.scale;
  }
  c->bound = k_scaled_bound(*c, s.patch(), xmax);
  return c;
}

ConvSpec random_conv(Gen& g, Op op) {
  ConvSpec sp;
  for (;;) {
    const int64_t kh = g.pick(0, 2) * 2 + 1;
    sp.s = shape(g.pick(1, 3), g.pick(1, 13), g.pick(1, 13),
                 g.coin(0.1) ? g.pick(21, 64) : g.pick(1, 20),
                 g.coin(0.1) ? g.pick(41, 96) : g.pick(1, 40), kh, g.pick(1, 3), g.pick(0, 2));
    if (g.coin(0.25)) sp.s.kw = g.pick(1, 3);  // rectangular kernels too
    if (sp.s.oh() < 1 || sp.s.ow() < 1) continue;
    if (sp.s.macs() > 3'000'000) continue;  // keeps the reference (plain loops) fast
    break;
  }
  sp.w.zeros = g.coin(0.1) ? (g.coin() ? 0.0 : 1.0) : g.uniform(0, 1);
  sp.w.terms = g.pick(1, 4);
  sp.w.per_channel = g.coin();
  sp.w.asymmetric = g.coin(0.3);
  sp.affine = g.coin(0.7);
  sp.relu = g.coin();
  sp.exact = g.coin(0.75);
  sp.dense = op == Op::kConvF32 && g.coin(0.1);
  sp.residual = op == Op::kConvF32 && g.coin(0.2);
  const int32_t zps[] = {0, 3, 128};
  sp.zp_in = zps[g.pick(0, 2)];
  sp.zp_out = g.coin() ? 0 : 128;
  sp.u8_out = g.coin();
  sp.in_border = std::max<int64_t>(sp.s.pad, 1) + g.pick(0, 1);
  sp.out_border = g.pick(1, 2);
  if (op == Op::kConvW2A8 && g.coin(0.3)) {  // what an int8 baseline expresses (no zero points)
    sp.w.terms = 1;
    sp.w.asymmetric = false;
    sp.zp_in = sp.zp_out = 0;
    sp.affine = false;
    sp.label = "random, no zero points";
  }
  return sp;
}

std::vector<ConvSpec> conv_edges(Op op) {
  std::vector<ConvSpec> e = {
      conv_edge("ResNet-20 stage 1", shape(1, 32, 32, 16, 16, 3, 1, 1), {0.4, 1, false, false})
          .u8_output(),
      conv_edge("stage 3, batch 2, no zero points", shape(2, 8, 8, 64, 64, 3, 1, 1),
                {0.45, 1, true, false})
          .no_affine()
          .u8_output(),
      conv_edge("stride 2, 2 asym terms", shape(1, 32, 32, 16, 32, 3, 2, 1), {0.4, 2, true, true})
          .no_relu()
          .zero_points(128, 128),
      conv_edge("stem, no zeros", shape(1, 32, 32, 3, 16, 3, 1, 1), {0.0, 1, false, false})
          .zero_points(128, 0)
          .u8_output(),
      conv_edge("all zeros", shape(1, 7, 7, 20, 17, 3, 1, 1), {1.0, 1, false, false})
          .zero_points(3, 0)
          .u8_output()
          .borders(2, 1),
      conv_edge("1x1 stride 2", shape(3, 14, 14, 24, 40, 1, 2, 0), {0.4, 1, true, false}).no_relu(),
      conv_edge("1x1 stride 1, 3 terms", shape(1, 9, 11, 5, 6, 1, 1, 0), {0.3, 3, true, true})
          .u8_output()
          .borders(1, 2),
      conv_edge("1x1 image", shape(1, 1, 1, 4, 4, 3, 1, 1), {0.2, 1, false, false})
          .no_affine()
          .no_relu()
          .zero_points(128, 0),
      conv_edge("5x5 stride 2, phase planes", shape(1, 15, 13, 3, 8, 5, 2, 2),
                {0.3, 1, false, false})
          .no_relu()
          .borders(2, 1),
      conv_edge("valid (pad 0)", shape(2, 10, 9, 4, 5, 3, 1, 0), {0.3, 1, false, false})
          .zero_points(3, 0)
          .u8_output(),
      conv_edge("stride 3", shape(1, 13, 13, 6, 7, 3, 3, 0), {0.5, 2, true, true})
          .no_relu()
          .zero_points(128, 128)
          .u8_output(),
      conv_edge("wide, 4 terms", shape(1, 6, 6, 96, 80, 3, 1, 1), {0.45, 4, true, true})
          .u8_output(),
      conv_edge("float mode", shape(2, 16, 16, 32, 32, 3, 1, 1), {0.4, 2, true, true})
          .float_mode()
          .zero_points(128, 0)
          .u8_output(),
  };
  if (op == Op::kConvF32) {
    e.push_back(conv_edge("dense weights", shape(1, 12, 12, 16, 32, 3, 2, 1), {}).dense_weights());
    // A ResNet block's second conv with the block's add fused (no ReLU before the add).
    e.push_back(
        conv_edge("fused residual add", shape(2, 16, 16, 32, 32, 3, 1, 1), {0.4, 1, false, false})
            .with_residual());
    // Tap planes beyond the tap-list kernel's L2 budget: walked in input-channel blocks with
    // partial sums (ConvF32Plan::block_groups); few output channels keep the reference cheap.
    e.push_back(conv_edge("input-channel blocks", shape(2, 14, 14, 256, 5, 3, 1, 1),
                          {0.45, 1, false, false}));
    e.push_back(conv_edge("input-channel blocks, 2 asym terms", shape(1, 7, 7, 512, 4, 3, 1, 1),
                          {0.45, 2, true, true}));
    e.push_back(conv_edge("input-channel blocks, dense", shape(1, 14, 14, 256, 3, 3, 1, 1), {})
                    .dense_weights());
    // Channel quads (symmetric plans with >= 768 taps per block, AVX-512): two terms, a last
    // quad of one channel, a fused residual add.
    e.push_back(
        conv_edge("channel quads, 2 terms", shape(1, 9, 9, 96, 9, 3, 1, 1), {0.45, 2, true, false})
            .with_residual());
  }
  return e;
}

// ---------------------------------------------------------------- elementwise

std::unique_ptr<Case> elementwise_case(Gen& g, Op op, int64_t h, int64_t w, int64_t ch, int64_t n,
                                       const char* label) {
  auto c = std::make_unique<Case>();
  c->label = label;
  c->exact = true;  // the helpers do the same float operations in every ISA
  c->p = ops::Problem::elementwise(op, h, w, ch, n);
  c->p.epilogue.relu = g.coin();
  const int64_t count = n * h * w * ch;
  std::normal_distribution<float> nd(0.0f, 1.0f);
  auto floats = [&] {
    std::vector<float> x(static_cast<size_t>(count));
    const float scale = float(g.uniform(0.1, 20));
    for (auto& v : x) v = nd(g.rng) * scale;
    return x;
  };
  auto q = [&] { return QuantParams{float(g.uniform(0.005, 0.2)), g.pick(0, 255)}; };
  switch (op) {
    case Op::kAddF32:
      c->x_f32 = floats();
      c->x2_f32 = floats();
      break;
    case Op::kAddU8:
      c->x_u8 = bytes(g, count);
      c->x2_u8 = bytes(g, count);
      c->p.in_q = q();
      c->p.in2_q = q();
      c->p.out_q = q();
      break;
    default:
      c->x_f32 = floats();
      c->p.out_q = q();
      break;
  }
  return c;
}

}  // namespace

ops::Problem Case::problem() const {
  ops::Problem q = p;
  if (ops::op_has_weights(p.op)) {
    if (has_ternary)
      q.ternary = &tern;
    else
      q.dense = &dense;
  }
  return q;
}

std::vector<std::unique_ptr<Case>> make_cases(Op op, int count, uint32_t seed) {
  Gen g{std::mt19937(seed * 7919u + uint32_t(op))};
  std::vector<std::unique_ptr<Case>> out;
  auto full = [&] { return int(out.size()) >= count; };
  switch (op) {
    case Op::kGemmF32:
    case Op::kGemmW2A8:
      for (const auto& s : gemm_edges(op))
        if (!full()) out.push_back(gemm_case(g, op, s));
      while (!full()) out.push_back(gemm_case(g, op, random_gemm(g, op)));
      break;
    case Op::kConvF32:
    case Op::kConvW2A8:
      for (const auto& s : conv_edges(op))
        if (!full()) out.push_back(conv_case(g, op, s));
      while (!full()) out.push_back(conv_case(g, op, random_conv(g, op)));
      break;
    default:
      for (int64_t n : {1, 15, 16, 17, 1000, 40000})
        if (!full()) out.push_back(elementwise_case(g, op, 1, 1, n, 1, "edge length"));
      while (!full())
        out.push_back(elementwise_case(g, op, g.pick(1, 20), g.pick(1, 20), g.pick(1, 20),
                                       g.pick(1, 3), "random"));
      break;
  }
  return out;
}

}  // namespace tnn::kernels::test_ops
