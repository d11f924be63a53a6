// Engine: every implementation against the reference on the same packed models, after a write
// / read round trip. ternary_f32 and onednn_f32 within a float tolerance; ternary_s8 bit-exact
// against an independent W2A8 reference of the graph on a model whose scales make every value
// exact, and close to FP32 on a realistic model.
#include <catch2/catch.hpp>

#include "kernel_test_util.hpp"
#include "tnn/kernels/engine.hpp"
#include "tnn/kernels/ops.hpp"
#include "tnn/kernels/quant.hpp"
#include "tnn/kernels/ref.hpp"
#include "tnn/kernels/synthetic.hpp"

using namespace tnn::kernels;
using namespace tnn::kernels::testing;

namespace {

Model round_trip(const Model& m) {
  const auto bytes = serialize_model(m);
  return deserialize_model(bytes.data(), bytes.size());
}

double max_abs(const std::vector<float>& v) {
  double m = 0;
  for (float x : v) m = std::max(m, double(std::fabs(x)));
  return m;
}

double max_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, double(std::fabs(a[i] - b[i])));
  return m;
}

// A small residual net whose every scale is a power of two and whose every weight and offset
// is a small multiple of one: FP32 sums are exact, so any two correct W2A8 paths agree bit for
// bit. Covers: dense FP stem, a 3x3 / 2 max-pool, 2-term asymmetric per-channel ternary,
// per-layer ternary, stride 2 with an option-A shortcut, add+ReLU, pooling and a ternary
// classifier.
Model exact_model(std::mt19937& rng) {
  Model m;
  m.name = "exact";
  m.in_c = 3;
  auto affine = [&](int64_t k, std::vector<float>& mul, std::vector<float>& add) {
    std::uniform_int_distribution<int> off(-8, 8);
    for (int64_t i = 0; i < k; ++i) {
      mul.push_back(power_of_two_scale(rng));
      add.push_back(float(off(rng)) / 8.0f);
    }
  };
  auto conv = [&](const std::string& name, const std::string& in, int64_t c, int64_t k,
                  int64_t stride, bool relu, WeightSpec spec, bool dense = false) {
    LayerWeights w;
    if (dense) {
      w.dense = small_int_floats(k * 9 * c, 2, rng);
      for (auto& v : w.dense) v /= 4.0f;
    } else {
      w.ternary = true;
      w.tern = random_ternary(k, 9 * c, spec, rng);
    }
    std::vector<float> mul, add;
    affine(k, mul, add);
    m.nodes.push_back(make_conv2d(name, in, name + ".out", k, 3, stride, 1, w, mul, add, relu));
    return name + ".out";
  };
  m.in_h = m.in_w = 16;
  const std::string stem = conv("stem", "input", 3, 8, 1, true, {}, true);
  m.nodes.push_back(make_max_pool2d("pool0", stem, "pool0.out", 3, 2, 1));  // 16x16 -> 8x8
  const std::string a1 = conv("b1.a", "pool0.out", 8, 8, 1, true, {0.4, 2, true, true});
  const std::string b1 = conv("b1.b", a1, 8, 8, 1, false, {0.4, 1, false, false});
  m.nodes.push_back(make_add("b1.add", b1, "pool0.out", "b1.out", true));
  const std::string a2 = conv("b2.a", "b1.out", 8, 16, 2, true, {0.5, 1, true, false});
  const std::string b2 = conv("b2.b", a2, 16, 16, 1, false, {0.3, 2, true, true});
  m.nodes.push_back(make_shortcut_a("b2.sc", "b1.out", "b2.sc.out", 16, 2));
  m.nodes.push_back(make_add("b2.add", b2, "b2.sc.out", "b2.out", true));
  m.nodes.push_back(make_global_avgpool("pool", "b2.out", "pool.out"));
  LayerWeights fc;
  fc.ternary = true;
  fc.tern = random_ternary(10, 16, {0.3, 1, true, false}, rng);  // symmetric (see below)
  m.nodes.push_back(make_linear("fc", "pool.out", "logits", 10, fc, small_int_floats(10, 3, rng)));
  m.output = "logits";
  infer_shapes(m);
  return m;
}

// Independent W2A8 reference of the graph: unpadded NHWC u8 tensors, ref:: kernels, the
// engine's documented arithmetic (requantize each tensor with its own parameters; the
// classifier input quantized per batch).
std::vector<float> reference_w2a8(const Model& m, const std::map<std::string, QuantParams>& qp,
                                  const std::vector<float>& images, int64_t n) {
  const auto shapes = infer_shapes(m);
  std::map<std::string, std::vector<uint8_t>> q;
  std::map<std::string, std::vector<float>> vec;
  auto quant = [&](const std::string& t, const std::vector<float>& x) {
    q[t].resize(x.size());
    quantize(x.data(), int64_t(x.size()), qp.at(t), q[t].data());
  };
  auto dequant = [&](const std::string& t) {
    std::vector<float> x(q[t].size());
    dequantize(q[t].data(), int64_t(x.size()), qp.at(t), x.data());
    return x;
  };
  quant(m.input, images);
  for (const Node& node : m.nodes) {
    const TensorShape in = shapes.at(node.inputs[0]), os = shapes.at(node.output);
    const std::string& x = node.inputs[0];
    std::vector<float> y(size_t(n * os.h * os.w * os.c));
    switch (node.op) {
      case OpType::kConv2d: {
        const ConvShape s = conv_shape(node, in, n);
        if (node.weights.ternary)
          ref::conv2d_w2a8(s, q[x].data(), qp.at(x), node.weights.tern, y.data());
        else
          ref::conv2d_dense(s, dequant(x).data(), node.weights.dense.data(), y.data());
        ref::apply_epilogue({node.affine_mul, node.affine_add, node.relu}, y.data(),
                            n * os.h * os.w, os.c);
        quant(node.output, y);
        break;
      }
      case OpType::kShortcutA: {
        auto& out = q[node.output];
        out.assign(y.size(), uint8_t(qp.at(node.output).zero_point));
        for (int64_t i = 0; i < n; ++i)
          for (int64_t oy = 0; oy < os.h; ++oy)
            for (int64_t ox = 0; ox < os.w; ++ox)
              for (int64_t c = 0; c < in.c; ++c)
                out[size_t(((i * os.h + oy) * os.w + ox) * os.c + c)] =
                    q[x]
                     [size_t(((i * in.h + oy * node.stride) * in.w + ox * node.stride) * in.c + c)];
        break;
      }
      case OpType::kMaxPool2d: {  // windows clipped to the image
        auto& out = q[node.output];
        out.assign(y.size(), 0);
        for (int64_t i = 0; i < n; ++i)
          for (int64_t oy = 0; oy < os.h; ++oy)
            for (int64_t ox = 0; ox < os.w; ++ox)
              for (int64_t c = 0; c < in.c; ++c) {
                int best = -1;
                for (int64_t ky = 0; ky < node.kernel_h; ++ky)
                  for (int64_t kx = 0; kx < node.kernel_w; ++kx) {
                    const int64_t iy = oy * node.stride - node.pad + ky;
                    const int64_t ix = ox * node.stride - node.pad + kx;
                    if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
                    best =
                        std::max<int>(best, q[x][size_t(((i * in.h + iy) * in.w + ix) * in.c + c)]);
                  }
                out[size_t(((i * os.h + oy) * os.w + ox) * os.c + c)] = uint8_t(best);
              }
        break;
      }
      case OpType::kAdd: {
        const QuantParams qa = qp.at(x), qb = qp.at(node.inputs[1]);
        for (size_t j = 0; j < y.size(); ++j) {
          float v = qa.scale * float(int32_t(q[x][j]) - qa.zero_point) +
                    qb.scale * float(int32_t(q[node.inputs[1]][j]) - qb.zero_point);
          y[j] = node.relu ? std::max(v, 0.0f) : v;
        }
        quant(node.output, y);
        break;
      }
      case OpType::kGlobalAvgPool: {
        const QuantParams qx = qp.at(x);
        for (int64_t i = 0; i < n; ++i)
          for (int64_t c = 0; c < in.c; ++c) {
            int64_t sum = 0;
            for (int64_t p = 0; p < in.h * in.w; ++p)
              sum += q[x][size_t((i * in.h * in.w + p) * in.c + c)];
            y[size_t(i * in.c + c)] =
                float(qx.scale * (double(sum) / double(in.h * in.w) - qx.zero_point));
          }
        vec[node.output] = y;
        break;
      }
      case OpType::kLinear: {
        const auto& xv = vec[x];
        const QuantParams qx = choose_quant_params(xv.data(), int64_t(xv.size()));
        std::vector<uint8_t> xq(xv.size());
        quantize(xv.data(), int64_t(xv.size()), qx, xq.data());
        ref::gemm_w2a8(node.weights.tern, xq.data(), n, qx, y.data());
        for (int64_t i = 0; i < n; ++i)
          for (int64_t k = 0; k < os.c; ++k) y[size_t(i * os.c + k)] += node.bias[size_t(k)];
        vec[node.output] = y;
        break;
      }
    }
  }
  return vec.at(m.output);
}

// An identity 1x1 conv on h x w x c images (so that each implementation picks its own layout),
// then a max-pool into "pool.out".
Model identity_then_pool(const std::string& name, int64_t h, int64_t w, int64_t c, int64_t kernel,
                         int64_t stride, int64_t pad) {
  Model m;
  m.name = name;
  m.in_h = h, m.in_w = w, m.in_c = c;
  LayerWeights id;
  id.dense.assign(size_t(c * c), 0.0f);
  for (int64_t i = 0; i < c; ++i) id.dense[size_t(i * c + i)] = 1.0f;
  m.nodes.push_back(make_conv2d("id", "input", "id.out", c, 1, 1, 0, id));
  m.nodes.push_back(make_max_pool2d("pool", "id.out", "pool.out", kernel, stride, pad));
  return m;
}

// Every FP32 engine implementation this build runs (families from the registry, and auto).
std::vector<std::string> float_impls() {
  std::vector<std::string> v;
  for (const std::string& i : engine_impls())
    if (!engine_impl_int8(i) && !engine_impl_tuned(i) && i != "ref") v.push_back(i);
  return v;
}

}  // namespace

TEST_CASE("engine: float implementations match the reference", "[engine]") {
  std::mt19937 rng(41);
  struct Variant {
    int terms;
    bool asym, per_channel, fp_first, fp_last;
    double zeros;
  };
  for (const Variant& v :
       {Variant{1, false, true, false, false, 0.45}, Variant{2, true, true, true, true, 0.4},
        Variant{1, true, false, false, true, 0.0}, Variant{3, false, false, true, false, 0.7}}) {
    SyntheticResNetOptions o;
    o.depth = 8;
    o.terms = v.terms;
    o.asymmetric = v.asym;
    o.per_channel = v.per_channel;
    o.fp_first = v.fp_first;
    o.fp_last = v.fp_last;
    o.zero_fraction = v.zeros;
    o.seed = uint32_t(v.terms * 7 + v.asym);
    const Model m = round_trip(make_random_resnet_cifar(o));
    for (int64_t n : {1, 3}) {
      const auto images = random_floats(n * 32 * 32 * 3, rng);
      const auto want = Engine(m, {"ref"}).run(images, n);
      for (const std::string& impl : float_impls()) {
        for (Isa isa : impl == "ternary_f32" ? supported_isas() : std::vector<Isa>{Isa::kAuto}) {
          EngineOptions opt;
          opt.impl = impl;
          opt.isa = isa;
          Engine e(m, opt);
          const auto got = e.run(images, n);
          INFO(impl << " " << isa_label(isa) << " terms " << v.terms << " n " << n);
          CHECK(max_diff(want, got) <= 1e-4 * (1.0 + max_abs(want)));
        }
      }
    }
  }
}

TEST_CASE("engine: synthetic ImageNet ResNets run in every float implementation", "[engine]") {
  std::mt19937 rng(45);
  for (int depth : {18, 50}) {
    SyntheticResNetOptions o;
    o.depth = depth;
    o.fp_first = depth == 18;
    o.classes = 7;
    const Model m = round_trip(make_random_resnet_imagenet(o, 40));
    const auto shapes = infer_shapes(m);
    CHECK(shapes.at("maxpool") == TensorShape{10, 10, 64});
    CHECK(shapes.at("avgpool").c == (depth == 50 ? 2048 : 512));
    const auto images = random_floats(2 * 40 * 40 * 3, rng);
    const auto want = Engine(m, {"ref"}).run(images, 2);
    for (const std::string& impl : float_impls()) {
      INFO(impl << " depth " << depth);
      Engine e(m, {impl});
      CHECK(max_diff(want, e.run(images, 2)) <= 1e-4 * (1.0 + max_abs(want)));
      CHECK(e.fused_residual_adds() > 0);
    }
  }
  SyntheticResNetOptions bad;
  bad.depth = 20;
  CHECK_THROWS_WITH(make_random_resnet_imagenet(bad), Catch::Contains("18, 34, 50 or 101"));
}

TEST_CASE("engine: synthetic BN-AlexNet has the trained model's shapes and runs everywhere",
          "[engine]") {
  // The layer table is shared with lib/nn/alexnet_bn.cpp (alexnet_layers.hpp): 224 -> 55 -> 27
  // -> 13 -> 6, FC6 reading the 6x6x256 map.
  std::mt19937 rng(46);
  SyntheticResNetOptions o;
  o.fp_first = true;
  o.classes = 10;
  const Model m = round_trip(make_random_alexnet(o));
  const auto shapes = infer_shapes(m);
  CHECK(shapes.at("conv1") == TensorShape{55, 55, 96});
  CHECK(shapes.at("pool2") == TensorShape{13, 13, 256});
  CHECK(shapes.at("pool5") == TensorShape{6, 6, 256});
  CHECK(shapes.at("fc7").c == 4096);
  CHECK(shapes.at("logits").c == 10);
  const auto images = random_floats(224 * 224 * 3, rng);
  const auto want = Engine(m, {"ref"}).run(images, 1);
  for (const std::string& impl : float_impls()) {
    INFO(impl);
    CHECK(max_diff(want, Engine(m, {impl}).run(images, 1)) <= 1e-4 * (1.0 + max_abs(want)));
  }
}

TEST_CASE("engine: max_pool2d clips its windows, in every layout", "[engine]") {
  // An identity 1x1 conv (so each implementation picks its own layout) then a 3x3 / 2 max-pool
  // with padding on odd sizes; inputs mostly negative, so a zero padding would win and show.
  std::mt19937 rng(44);
  const int64_t h = 9, w = 7, c = 5, n = 2;
  Model m = identity_then_pool("pool", h, w, c, 3, 2, 1);
  m.output = "pool.out";
  m = round_trip(m);
  const auto shape = infer_shapes(m).at("pool.out");
  REQUIRE(shape == TensorShape{5, 4, c});
  std::vector<float> images(size_t(n * h * w * c));
  std::uniform_real_distribution<float> u(-4.0f, 0.5f);
  for (auto& v : images) v = u(rng);
  std::vector<float> want(size_t(n * shape.h * shape.w * c), -1e30f);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t oy = 0; oy < shape.h; ++oy)
      for (int64_t ox = 0; ox < shape.w; ++ox)
        for (int64_t ky = 0; ky < 3; ++ky)
          for (int64_t kx = 0; kx < 3; ++kx) {
            const int64_t iy = 2 * oy - 1 + ky, ix = 2 * ox - 1 + kx;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (int64_t ch = 0; ch < c; ++ch) {
              float& d = want[size_t(((i * shape.h + oy) * shape.w + ox) * c + ch)];
              d = std::max(d, images[size_t(((i * h + iy) * w + ix) * c + ch)]);
            }
          }
  std::vector<std::string> impls = float_impls();
  impls.push_back("ref");
  for (const std::string& impl : impls) {
    INFO(impl);
    CHECK(max_diff(want, Engine(m, {impl}).run(images, n)) == 0.0);
  }
  // Padding larger than half the kernel could leave a window with no input: refused.
  Model bad = m;
  bad.nodes[1].pad = 2;
  CHECK_THROWS_WITH(infer_shapes(bad), Catch::Contains("pad <= kernel / 2"));
}

TEST_CASE("engine: a linear reads a spatial input as an NHWC vector, with BN affine and ReLU",
          "[engine]") {
  // BN-AlexNet's classifier in small: identity 1x1 conv (each implementation picks its own
  // layout), 2x2 / 2 max-pool, FC6 (ternary, per-channel, bias + affine + ReLU) on the pooled
  // map, FC7 (dense, affine only), FC8 (dense, bias). Expected values by hand in NHWC order.
  std::mt19937 rng(46);
  const int64_t h = 6, w = 4, c = 5, n = 3, f6 = 9, f7 = 8, f8 = 4;
  const int64_t ph = 3, pw = 2, k6 = ph * pw * c;
  Model m = identity_then_pool("fc-on-map", h, w, c, 2, 2, 0);
  LayerWeights w6, w7, w8;
  w6.ternary = true;
  w6.tern = random_ternary(f6, k6, {0.4, 1, true, false}, rng);
  w7.dense = random_floats(f7 * f6, rng);
  w8.dense = random_floats(f8 * f7, rng);
  auto vec = [&](int64_t k, float lo, float hi) {
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(static_cast<size_t>(k));
    for (auto& x : v) x = u(rng);
    return v;
  };
  const auto b6 = vec(f6, -1, 1), mul6 = vec(f6, -2, 2), add6 = vec(f6, -1, 1);
  const auto mul7 = vec(f7, 0.5, 2), add7 = vec(f7, -1, 1), b8 = vec(f8, -1, 1);
  m.nodes.push_back(make_linear("fc6", "pool.out", "fc6.out", f6, w6, b6, mul6, add6, true));
  m.nodes.push_back(make_linear("fc7", "fc6.out", "fc7.out", f7, w7, {}, mul7, add7, true));
  m.nodes.push_back(make_linear("fc8", "fc7.out", "logits", f8, w8, b8));
  m.output = "logits";
  m = round_trip(m);
  REQUIRE(m.nodes[2].affine_mul == mul6);
  REQUIRE(m.nodes[2].relu);
  REQUIRE(!m.nodes[4].relu);
  const auto images = random_floats(n * h * w * c, rng);
  // Pool, flatten (y, x, c), FC6 = mul*(Wx + b) + add then ReLU, FC7, FC8.
  std::vector<float> pooled(size_t(n * k6), -1e30f);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x)
        for (int64_t ch = 0; ch < c; ++ch) {
          float& d = pooled[size_t(i * k6 + ((y / 2) * pw + x / 2) * c + ch)];
          d = std::max(d, images[size_t(((i * h + y) * w + x) * c + ch)]);
        }
  std::vector<float> y6(size_t(n * f6)), y7(size_t(n * f7), 0.0f), want(size_t(n * f8), 0.0f);
  ref::gemm(w6.tern, pooled.data(), n, y6.data());
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = 0; k < f6; ++k) {
      float& v = y6[size_t(i * f6 + k)];
      v = std::max(mul6[size_t(k)] * (v + b6[size_t(k)]) + add6[size_t(k)], 0.0f);
    }
    for (int64_t k = 0; k < f7; ++k) {
      float& v = y7[size_t(i * f7 + k)];
      for (int64_t j = 0; j < f6; ++j) v += w7.dense[size_t(k * f6 + j)] * y6[size_t(i * f6 + j)];
      v = std::max(mul7[size_t(k)] * v + add7[size_t(k)], 0.0f);
    }
    for (int64_t k = 0; k < f8; ++k) {
      float& v = want[size_t(i * f8 + k)];
      for (int64_t j = 0; j < f7; ++j) v += w8.dense[size_t(k * f7 + j)] * y7[size_t(i * f7 + j)];
      v += b8[size_t(k)];
    }
  }
  std::vector<std::string> impls = float_impls();
  impls.push_back("ref");
  for (const std::string& impl : impls) {
    INFO(impl);
    CHECK(max_diff(want, Engine(m, {impl}).run(images, n)) <= 1e-4 * (1.0 + max_abs(want)));
  }
  // int8: the FC inputs are quantized per batch; close to FP32, not equal.
  for (const std::string& impl : engine_impls()) {
    if (!engine_impl_int8(impl) || engine_impl_tuned(impl)) continue;
    INFO(impl);
    Engine e(m, {impl});
    e.calibrate(images.data(), n);
    CHECK(max_diff(want, e.run(images, n)) <= 0.05 * (1.0 + max_abs(want)));
  }
  // A linear whose weights do not match the flattened map is refused, naming the node.
  Model bad = m;
  bad.nodes[2].weights.tern = random_ternary(f6, k6 - c, {}, rng);
  CHECK_THROWS_WITH(infer_shapes(bad), Catch::Contains("fc6") && Catch::Contains("expected 9x30"));
}

TEST_CASE("engine: ternary_s8 is bit-exact against a reference W2A8 graph", "[engine]") {
  std::mt19937 rng(42);
  const Model m = round_trip(exact_model(rng));
  const int64_t n = 4;
  std::vector<float> images(size_t(n * 16 * 16 * 3));
  std::uniform_int_distribution<int> px(-100, 100);
  for (auto& v : images) v = float(px(rng)) / 8.0f;
  // Power-of-two activation scales; zero point 128 for the signed tensors.
  std::map<std::string, QuantParams> qp;
  for (const auto& t : {"input", "b1.b.out", "b2.b.out"}) qp[t] = {0.125f, 128};
  for (const auto& t :
       {"stem.out", "pool0.out", "b1.a.out", "b1.out", "b2.a.out", "b2.sc.out", "b2.out"})
    qp[t] = {0.25f, 0};
  const auto want = reference_w2a8(m, qp, images, n);
  for (Isa isa : supported_isas()) {
    EngineOptions opt;
    opt.impl = "ternary_s8";
    opt.isa = isa;
    Engine e(m, opt);
    e.set_activation_params(qp);
    const auto got = e.run(images, n);
    INFO(isa_label(isa));
    CHECK(count_mismatches(want, got) == 0);
  }
  Engine e(m, {"ternary_s8"});
  std::map<std::string, QuantParams> missing = qp;
  missing.erase("b2.out");
  CHECK_THROWS_WITH(e.set_activation_params(missing), Catch::Contains("b2.out"));
}

TEST_CASE("engine: calibrated ternary_s8 stays close to FP32", "[engine]") {
  std::mt19937 rng(43);
  SyntheticResNetOptions o;
  o.depth = 14;
  const Model m = make_random_resnet_cifar(o);
  const int64_t n = 8;
  const auto calib = random_floats(16 * 32 * 32 * 3, rng);
  const auto images = random_floats(n * 32 * 32 * 3, rng);
  const auto want = Engine(m, {"ternary_f32"}).run(images, n);
  Engine e(m, {"ternary_s8"});
  CHECK(!e.calibrated());
  e.calibrate(calib.data(), 16);
  CHECK(e.calibrated());
  CHECK(e.activation_params().at("stem.out").zero_point == 0);  // post-ReLU: unsigned
  CHECK(e.activation_params().at("input").zero_point == 128);   // signed image
  const auto got = e.run(images, n);
  // 8-bit activations through 13 layers: a few percent of the logit range.
  CHECK(max_diff(want, got) <= 0.1 * max_abs(want));
  CHECK(e.describe().find("W2A8") != std::string::npos);
}

TEST_CASE("engine: a layer its family cannot run falls back within the family's role", "[engine]") {
  std::mt19937 rng(45);
  SyntheticResNetOptions o;
  o.depth = 8;
  o.fp_first = true;  // a dense FP32 stem: no W2A8 implementation runs it
  o.fp_last = true;
  const Model m = make_random_resnet_cifar(o);
  const auto calib = random_floats(8 * 32 * 32 * 3, rng);
  const auto images = random_floats(2 * 32 * 32 * 3, rng);
  const auto want = Engine(m, {"ref"}).run(images, 2);
  // A baseline engine stays with its own library, a ternary engine with our kernels.
  for (const auto& [impl, stem_family] : std::vector<std::pair<std::string, std::string>>{
           {"onednn_s8", "/onednn_f32/"}, {"ternary_s8", "/ternary_f32/"}}) {
    INFO(impl);
    Engine e(m, {impl});
    e.calibrate(calib.data(), 8);  // an int8 graph is built once its scales are known
    const auto layers = e.layer_impls();
    REQUIRE(!layers.empty());
    CHECK(layers.front().second.rfind("conv_f32", 0) == 0);
    CHECK(layers.front().second.find(stem_family) != std::string::npos);
    CHECK(max_diff(want, e.run(images, 2)) <= 0.1 * max_abs(want));
  }
  Engine f32(m, {"onednn_f32"});
  for (const auto& [node, id] : f32.layer_impls()) {
    INFO(node);
    CHECK(id.find("/onednn_") != std::string::npos);
  }
}

TEST_CASE("engine: ResNet adds fused into their convs give the unfused results", "[engine]") {
  std::mt19937 rng(46);
  SyntheticResNetOptions o;
  o.depth = 8;  // one block per stage: three adds, two after a down-sampling shortcut
  o.fp_last = true;
  const Model m = round_trip(make_random_resnet_cifar(o));
  const auto images = random_floats(3 * 32 * 32 * 3, rng);
  auto count = [](const std::string& text, const std::string& what) {
    int k = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++k;
    return k;
  };
  for (const std::string impl : {"ternary_f32", "onednn_f32", "ref"}) {
    if (!engine_impl_available(impl)) continue;
    INFO(impl);
    EngineOptions fused_opt(impl), plain_opt(impl);
    plain_opt.fuse_residual = false;
    Engine fused(m, fused_opt), plain(m, plain_opt);
    CHECK(count(fused.describe(), "+ fused residual add") == 3);
    CHECK(count(fused.describe(), "fused into the conv before it") == 3);
    CHECK(count(plain.describe(), "fused") == 0);
    const auto want = plain.run(images, 3);
    const auto got = fused.run(images, 3);
    // Ours: the same float operations in the same order (affine, + residual, ReLU), identical
    // outputs. oneDNN's binary post-op may round the bias and the sum in another order.
    CHECK(max_diff(want, got) <= (impl == "onednn_f32" ? 1e-5 * (1.0 + max_abs(want)) : 0.0));
  }
}

TEST_CASE("engine: auto tunes every layer among the registered kernels and caches it", "[engine]") {
  std::mt19937 rng(44);
  SyntheticResNetOptions o;
  o.depth = 8;
  o.fp_first = true;
  const Model m = make_random_resnet_cifar(o);
  const auto images = random_floats(2 * 32 * 32 * 3, rng);
  const auto want = Engine(m, {"ref"}).run(images, 2);
  const std::string cache = "engine_tune_test.json";
  std::remove(cache.c_str());
  EngineOptions opt;
  opt.impl = "auto";
  opt.tune_cache = cache;
  opt.tune_budget_ms = 1;
  Engine e(m, opt);
  const TuneReport* r = e.tuning();
  REQUIRE(r != nullptr);
  CHECK(!r->from_cache);
  const auto layers = e.layer_impls();
  REQUIRE(layers.size() == r->layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    INFO(layers[i].first);
    CHECK(layers[i].second == r->layers[i].chosen);
    CHECK(!r->layers[i].ms.empty());
    const ops::Impl* impl = ops::find(layers[i].second);
    REQUIRE(impl != nullptr);
    CHECK(impl->role != ops::Role::kReference);
  }
  // The kept plan is the fastest whole-model plan measured, uniform families included.
  REQUIRE(r->plans_ms.size() >= 2);
  double best = 1e300;
  std::string best_plan;
  for (const auto& [name, ms] : r->plans_ms)
    if (ms < best) best = ms, best_plan = name;
  CHECK(r->plan == best_plan);
  // Then every plan is timed again on fresh samples (the unbiased comparison that is reported).
  REQUIRE(r->validation_ms.size() == r->plans_ms.size());
  for (size_t i = 0; i < r->plans_ms.size(); ++i) {
    CHECK(r->validation_ms[i].first == r->plans_ms[i].first);
    CHECK(r->validation_ms[i].second > 0);
  }
  CHECK(r->table().find("Validation (fresh interleaved samples): " + r->plan) != std::string::npos);
  const auto got = e.run(images, 2);
  CHECK(max_diff(want, got) <= 1e-4 * (1.0 + max_abs(want)));
  CHECK(e.describe().find("kept: " + r->plan) != std::string::npos);
  // A second engine reads the same choices from the cache.
  Engine again(m, opt);
  REQUIRE(again.tuning() != nullptr);
  CHECK(again.tuning()->from_cache);
  CHECK(again.layer_impls() == layers);
  CHECK(again.tuning()->validation_ms.size() == r->validation_ms.size());
  std::remove(cache.c_str());
}

TEST_CASE("engine: input checks and names", "[engine]") {
  const Model m = make_random_resnet_cifar({});
  Engine e(m);
  CHECK(e.input_size() == 32 * 32 * 3);
  CHECK(e.output_size() == 10);
  CHECK_THROWS_AS(e.run(std::vector<float>(10), 1), std::invalid_argument);
  CHECK(engine_impl_available("ternary_s8"));
  CHECK(engine_impl_int8("ternary_s8"));
  CHECK(!engine_impl_int8("ternary_f32"));
  CHECK_THROWS_WITH(check_engine_impl("gpu"), Catch::Contains("ternary_f32"));
  CHECK_THROWS_AS(Engine(m, {"gpu"}), std::invalid_argument);
}
