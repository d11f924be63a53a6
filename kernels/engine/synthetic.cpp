#include "tnn/kernels/synthetic.hpp"

#include "tnn/kernels/alexnet_layers.hpp"

#include <cmath>
#include <random>
#include <stdexcept>

namespace tnn::kernels {

namespace {

struct Gen {
  const SyntheticResNetOptions& o;
  std::mt19937 rng;

  LayerWeights weights(int64_t rows, int64_t cols, bool ternary) {
    LayerWeights w;
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const float he = std::sqrt(2.0f / float(cols));
    if (!ternary) {
      w.dense.resize(size_t(rows * cols));
      for (auto& v : w.dense) v = he * normal(rng);
      return w;
    }
    w.ternary = true;
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<std::vector<int8_t>> codes;
    std::vector<std::vector<float>> sp, sn;
    // Each term carries a share of the variance; later terms are residuals, smaller.
    for (int t = 0; t < o.terms; ++t) {
      std::vector<int8_t> c(size_t(rows * cols));
      for (auto& v : c) v = u(rng) < o.zero_fraction ? 0 : (u(rng) < 0.5 ? 1 : -1);
      codes.push_back(std::move(c));
      const float alpha =
          he / std::sqrt(float(1.0 - std::min(o.zero_fraction, 0.99))) / float(1 << t);
      const int64_t n = o.per_channel ? rows : 1;
      std::vector<float> p(static_cast<size_t>(n)), m(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) {
        p[size_t(i)] = alpha * float(0.8 + 0.4 * u(rng));
        m[size_t(i)] = o.asymmetric ? alpha * float(0.8 + 0.4 * u(rng)) : p[size_t(i)];
      }
      sp.push_back(std::move(p));
      sn.push_back(std::move(m));
    }
    w.tern = make_ternary(rows, cols, codes, sp, sn);
    return w;
  }

  // An empty model for size x size x 3 images, its options as metadata.
  Model model(const std::string& name, int64_t size) const {
    if (o.terms < 1 || o.terms > 4) throw std::invalid_argument("terms must be 1..4");
    Model m;
    m.name = name;
    m.in_h = m.in_w = size;
    m.in_c = 3;
    m.metadata = {{"synthetic", true},
                  {"depth", o.depth},
                  {"zero_fraction", o.zero_fraction},
                  {"terms", o.terms},
                  {"seed", o.seed}};
    return m;
  }

  // Global pooling of tensor x (in_features channels) and the classifier: the model's end.
  void classifier(Model& m, const std::string& x, int64_t in_features) {
    m.nodes.push_back(make_global_avgpool("avgpool", x, "avgpool"));
    std::vector<float> bias(size_t(o.classes));
    std::normal_distribution<float> bn(0.0f, 0.01f);
    for (auto& v : bias) v = bn(rng);
    m.nodes.push_back(make_linear("fc", "avgpool", "logits", o.classes,
                                  weights(o.classes, in_features, !o.fp_last), bias));
    m.output = "logits";
  }

  // Folded BN: mul around 1, small shifts.
  void affine(int64_t k, std::vector<float>& mul, std::vector<float>& add) {
    std::uniform_real_distribution<float> m(0.7f, 1.3f);
    std::normal_distribution<float> a(0.0f, 0.1f);
    for (int64_t i = 0; i < k; ++i) {
      mul.push_back(m(rng));
      add.push_back(a(rng));
    }
  }
};

}  // namespace

Model make_random_resnet_cifar(const SyntheticResNetOptions& o) {
  if (o.depth < 8 || (o.depth - 2) % 6 != 0)
    throw std::invalid_argument("ResNet depth must be 6n+2 (20, 32, 44, 56, ...)");
  Gen g{o, std::mt19937(o.seed)};
  Model m = g.model("resnet" + std::to_string(o.depth) + "-synthetic", 32);
  std::vector<float> mul, add;
  g.affine(16, mul, add);
  m.nodes.push_back(make_conv2d("stem", "input", "stem.out", 16, 3, 1, 1,
                                g.weights(16, 27, !o.fp_first), mul, add, true));
  std::string x = "stem.out";
  int64_t in = 16;
  const int n = (o.depth - 2) / 6;
  for (int s = 0; s < 3; ++s) {
    const int64_t planes = 16 << s;
    for (int i = 0; i < n; ++i) {
      const int64_t stride = (s > 0 && i == 0) ? 2 : 1;
      const std::string b = "stage" + std::to_string(s + 1) + "." + std::to_string(i);
      std::vector<float> ma, aa, mb, ab;
      g.affine(planes, ma, aa);
      g.affine(planes, mb, ab);
      m.nodes.push_back(make_conv2d(b + ".conv_a", x, b + ".a", planes, 3, stride, 1,
                                    g.weights(planes, 9 * in, true), ma, aa, true));
      m.nodes.push_back(make_conv2d(b + ".conv_b", b + ".a", b + ".b", planes, 3, 1, 1,
                                    g.weights(planes, 9 * planes, true), mb, ab, false));
      std::string shortcut = x;
      if (stride != 1 || in != planes) {
        m.nodes.push_back(make_shortcut_a(b + ".shortcut", x, b + ".sc", planes, stride));
        shortcut = b + ".sc";
      }
      m.nodes.push_back(make_add(b + ".add", b + ".b", shortcut, b + ".out", true));
      x = b + ".out";
      in = planes;
    }
  }
  g.classifier(m, x, 64);
  infer_shapes(m);
  return m;
}

Model make_random_resnet_imagenet(const SyntheticResNetOptions& o, int64_t image_size) {
  int blocks[4];
  bool bottleneck = false;
  switch (o.depth) {
    case 18:
      blocks[0] = blocks[1] = blocks[2] = blocks[3] = 2;
      break;
    case 34:
    case 50:
      blocks[0] = 3, blocks[1] = 4, blocks[2] = 6, blocks[3] = 3;
      bottleneck = o.depth == 50;
      break;
    case 101:
      blocks[0] = 3, blocks[1] = 4, blocks[2] = 23, blocks[3] = 3;
      bottleneck = true;
      break;
    default:
      throw std::invalid_argument("ImageNet ResNet depth must be 18, 34, 50 or 101");
  }
  Gen g{o, std::mt19937(o.seed)};
  Model m = g.model("resnet" + std::to_string(o.depth) + "-imagenet-synthetic", image_size);
  auto conv = [&](const std::string& name, const std::string& in, int64_t c, int64_t k,
                  int64_t kernel, int64_t stride, bool relu, bool ternary) {
    std::vector<float> mul, add;
    g.affine(k, mul, add);
    m.nodes.push_back(make_conv2d(name, in, name, k, kernel, stride, kernel / 2,
                                  g.weights(k, kernel * kernel * c, ternary), mul, add, relu));
    return name;
  };
  conv("conv1", "input", 3, 64, 7, 2, true, !o.fp_first);
  m.nodes.push_back(make_max_pool2d("maxpool", "conv1", "maxpool", 3, 2, 1));
  std::string x = "maxpool";
  int64_t in = 64;
  for (int s = 0; s < 4; ++s)
    for (int i = 0; i < blocks[s]; ++i) {
      const int64_t planes = 64 << s, out = bottleneck ? 4 * planes : planes;
      const int64_t stride = (s > 0 && i == 0) ? 2 : 1;
      const std::string b = "layer" + std::to_string(s + 1) + "." + std::to_string(i);
      // The projection first, as tnn pack lists it (the add then fuses into the last conv).
      const std::string sc = stride != 1 || in != out
                                 ? conv(b + ".downsample", x, in, out, 1, stride, false, true)
                                 : x;
      std::string y;
      if (bottleneck) {
        y = conv(b + ".conv1", x, in, planes, 1, 1, true, true);
        y = conv(b + ".conv2", y, planes, planes, 3, stride, true, true);
        y = conv(b + ".conv3", y, planes, out, 1, 1, false, true);
      } else {
        y = conv(b + ".conv1", x, in, planes, 3, stride, true, true);
        y = conv(b + ".conv2", y, planes, planes, 3, 1, false, true);
      }
      m.nodes.push_back(make_add(b + ".add", y, sc, b + ".out", true));
      x = b + ".out";
      in = out;
    }
  g.classifier(m, x, in);
  infer_shapes(m);
  return m;
}

Model make_random_alexnet(const SyntheticResNetOptions& o) {
  Gen g{o, std::mt19937(o.seed)};
  Model m = g.model("alexnet_bn-synthetic", 224);
  std::string x = "input";
  int i = 0;
  for (const auto& c : alexnet::kConvs) {
    const std::string name = "conv" + std::to_string(++i);
    std::vector<float> mul, add;
    g.affine(c.out, mul, add);
    const bool ternary = i > 1 || !o.fp_first;
    m.nodes.push_back(make_conv2d(name, x, name, c.out, c.kernel, c.stride, c.pad,
                                  g.weights(c.out, c.kernel * c.kernel * c.in, ternary), mul, add,
                                  true));
    x = name;
    if (!c.pool_after) continue;
    const std::string pool = "pool" + std::to_string(i);
    m.nodes.push_back(
        make_max_pool2d(pool, x, pool, alexnet::kPoolKernel, alexnet::kPoolStride, 0));
    x = pool;
  }
  // FC6 on the 6x6x256 map and FC7, each with its BN1d folded in and ReLU; FC8 with a bias.
  int64_t in = alexnet::kFeatureChannels * alexnet::kFeatureHW * alexnet::kFeatureHW;
  for (const char* fc : {"fc6", "fc7"}) {
    std::vector<float> mul, add;
    g.affine(alexnet::kHidden, mul, add);
    m.nodes.push_back(make_linear(fc, x, fc, alexnet::kHidden,
                                  g.weights(alexnet::kHidden, in, true), {}, mul, add,
                                  /*relu=*/true));
    x = fc;
    in = alexnet::kHidden;
  }
  std::vector<float> bias(size_t(o.classes));
  std::normal_distribution<float> bn(0.0f, 0.01f);
  for (auto& v : bias) v = bn(g.rng);
  m.nodes.push_back(
      make_linear("fc8", x, "logits", o.classes, g.weights(o.classes, in, !o.fp_last), bias));
  m.output = "logits";
  infer_shapes(m);
  return m;
}

}  // namespace tnn::kernels
