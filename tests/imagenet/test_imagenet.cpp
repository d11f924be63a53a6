// The ImageNet path with LibTorch, on the JPEG test folder of ci/make-imagefolder.py: the data
// source (normalised channels-last batches, unreadable files counted and limited), the models
// (torchvision names and sizes, ff_lf / fq_lq, REL bias switch), torchvision state_dicts in (named
// errors) and TGA's delta re-initialisation, and a smoke training of ResNet-18 WACV'19 t_ex = 2
// whose loss decreases and which resumes exactly.
#include <catch2/catch.hpp>

#include "imagefolder.hpp"
#include "tnn/dataset.hpp"
#include "tnn/experiment.hpp"
#include "tnn/fileio.hpp"
#include "tnn/imagedata.hpp"
#include "tnn/kernels/engine.hpp"
#include "tnn/pack.hpp"
#include "tnn/torchvision_io.hpp"
#include "tnn/train.hpp"

#include <filesystem>

using namespace tnn;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {
// On the CPU even where LibTorch has CUDA: the exact-resume check is a CPU promise.
nlohmann::json smoke(const std::string& id, nlohmann::json overrides = nlohmann::json::object()) {
  if (!overrides.contains("train.device")) overrides["train.device"] = "cpu";
  auto e = load_experiment(std::string(TNN_SOURCE_DIR) + "/experiments/" + id + ".json");
  return resolve_config(e, "smoke", overrides);
}
ModelConfig model(const std::string& arch, const std::string& method,
                  const std::string& first_last = "ternary", int64_t classes = 1000,
                  nlohmann::json params = nlohmann::json::object()) {
  ModelConfig m;
  m.arch = arch;
  m.first_layer = m.last_layer = first_last;
  m.quantizer = {method, params};
  m.num_classes = classes;
  return m;
}
int64_t parameter_count(Network& net) {
  int64_t n = 0;
  for (const auto& p : net.named_parameters())
    if (p.key().find("quantizer.") == std::string::npos) n += p.value().numel();
  return n;
}
TrainOptions options(const fs::path& dir) {
  TrainOptions o;
  o.out_dir = dir.string();
  o.seed = 2;
  o.data_dir = test::imagefolder();
  o.progress = false;
  return o;
}
}  // namespace

TEST_CASE(
    "imagenet data: normalised channels-last batches - unreadable files counted, then an error "
    "past "
    "the limit",
    "[imagenet]") {
  auto cfg = smoke("imagenet/resnet18-wacv19-tex2");
  auto data = open_dataset(cfg, test::imagefolder(), torch::kCPU);
  CHECK(data->num_classes() == 10);
  CHECK(data->train_size() == 85);
  CHECK(data->test_size() == 31);
  CHECK_THAT(data->identity()["label"].get<std::string>(), Contains("not ImageNet"));
  auto s = data->train_epoch(1, 0, 16);
  Batch b;
  int64_t images = 0;
  double sum = 0;
  while (s->next(b)) {
    CHECK(b.x.sizes() == torch::IntArrayRef({b.y.size(0), 3, 48, 48}));
    CHECK(b.x.is_contiguous(at::MemoryFormat::ChannelsLast));
    CHECK(b.x.scalar_type() == torch::kFloat);
    CHECK(b.y.max().item<int64_t>() < 10);
    sum += b.x.mean().item<double>() * double(b.y.size(0));
    images += b.y.size(0);
  }
  CHECK(images == 85 - 2);
  CHECK(std::abs(sum / images) < 1.5);  // ImageNet-normalised pixels are centred near 0
  CHECK(data->errors()["count"] == 2);
  auto v = data->test_batches(32);
  int64_t val = 0;
  while (v->next(b)) val += b.y.size(0);
  CHECK(val == 31);
  // A limit of 1 unreadable file: the second one stops the run with both names.
  auto strict = open_dataset(smoke("imagenet/resnet18-wacv19-tex2", {{"data.max_bad_files", 1}}),
                             test::imagefolder(), torch::kCPU);
  auto s2 = strict->train_epoch(1, 0, 16);
  CHECK_THROWS_WITH(
      [&] {
        while (s2->next(b)) {
        }
      }(),
      Contains("data.max_bad_files = 1") && Contains(".JPEG"));
}

TEST_CASE("models: torchvision parameter names and sizes - ff_lf / fq_lq - 1x1 downsample ternary",
          "[imagenet]") {
  torch::manual_seed(0);
  // torchvision's parameter counts (weights and biases, without BN buffers).
  const std::pair<const char*, int64_t> sizes[] = {{"resnet18", 11689512},
                                                   {"resnet34", 21797672},
                                                   {"resnet50", 25557032},
                                                   {"resnet101", 44549160}};
  for (const auto& [arch, count] : sizes) {
    INFO(arch);
    auto net = make_model(model(arch, "fp"));
    CHECK(parameter_count(*net) == count);
  }
  auto r50 = make_model(model("resnet50", "wacv19", "fp"));
  auto names = r50->named_parameters();
  for (const char* k :
       {"conv1.weight", "bn1.weight", "layer1.0.conv3.weight", "layer1.0.downsample.0.weight",
        "layer1.0.downsample.1.bias", "layer4.2.bn3.weight", "fc.weight", "fc.bias"})
    CHECK(names.contains(k));
  CHECK(r50->named_buffers().contains("layer3.5.bn2.running_var"));
  for (const auto& l : r50->quant_layers()) {
    INFO(l.name);
    const bool edge = l.name == "conv1" || l.name == "fc";
    CHECK(l.quantizer->method() == (edge ? "fp" : "wacv19"));  // ff_lf; downsample.0 ternary
  }
  auto fq = make_model(model("resnet18", "wacv19", "ternary"));
  for (const auto& l : fq->quant_layers()) CHECK(l.quantizer->method() == "wacv19");
  auto x = torch::randn({2, 3, 64, 64}).contiguous(at::MemoryFormat::ChannelsLast);
  CHECK(fq->forward(x).sizes() == torch::IntArrayRef({2, 1000}));
  // BN-AlexNet: reference layout, no conv / FC6 / FC7 bias, BN1d after FC6 and FC7.
  auto alex = make_model(model("alexnet_bn", "wacv19", "fp", 10));
  auto an = alex->named_parameters();
  CHECK(an["features.0.weight"].sizes() == torch::IntArrayRef({96, 3, 11, 11}));
  CHECK(!an.contains("features.0.bias"));
  CHECK(an.contains("features.1.weight"));
  CHECK(an["features.4.weight"].sizes() == torch::IntArrayRef({256, 96, 5, 5}));
  CHECK(an["features.14.weight"].sizes() == torch::IntArrayRef({256, 384, 3, 3}));
  CHECK(an["classifier.0.weight"].sizes() == torch::IntArrayRef({4096, 9216}));
  CHECK(!an.contains("classifier.0.bias"));
  CHECK(an.contains("classifier.1.running_mean") == false);
  CHECK(alex->named_buffers().contains("classifier.1.running_mean"));
  CHECK(an.contains("classifier.6.bias"));
  CHECK(alex->quant_layers().front().quantizer->method() == "fp");
  CHECK(alex->quant_layers().back().quantizer->method() == "fp");
  CHECK(alex->quant_layers()[1].quantizer->method() == "wacv19");
  alex->eval();
  CHECK(alex->forward(torch::randn({2, 3, 224, 224})).sizes() == torch::IntArrayRef({2, 10}));
}

TEST_CASE("models: packed ImageNet ResNets give LibTorch's logits in the engine", "[imagenet]") {
  torch::manual_seed(5);
  for (const char* arch : {"resnet18", "resnet50"}) {
    INFO(arch);
    // Every layer ternary (fq_lq), 2-term residual expansion on ResNet-18, BN statistics that
    // are not the identity (as after training).
    auto net = make_model(model(
        arch, "wacv19", "ternary", 10,
        std::string(arch) == "resnet18" ? nlohmann::json{{"terms", 2}} : nlohmann::json::object()));
    {
      torch::NoGradGuard ng;
      for (auto& b : net->named_buffers()) {
        if (b.key().find("running_mean") != std::string::npos) b.value().uniform_(-0.3, 0.3);
        if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2.0);
      }
    }
    net->eval();
    kernels::Model m = pack_network(*net, {});
    CHECK(m.in_h == 224);
    m.in_h = m.in_w = 48;  // fully convolutional: a small input keeps the reference engine quick
    const auto x = torch::randn({2, 3, 48, 48});
    torch::Tensor want;
    {
      torch::NoGradGuard ng;
      want = net->forward(x.contiguous(at::MemoryFormat::ChannelsLast)).contiguous();
    }
    const auto nhwc = x.permute({0, 2, 3, 1}).contiguous();
    const std::vector<float> images(nhwc.data_ptr<float>(), nhwc.data_ptr<float>() + nhwc.numel());
    const double range = want.abs().max().item<double>();
    for (const char* impl : {"ref", "ternary_f32", "onednn_f32"}) {
      INFO(impl);
      auto got = kernels::Engine(m, {impl}).run(images, 2);
      auto g = torch::from_blob(got.data(), want.sizes(), torch::kFloat);
      CHECK((g - want).abs().max().item<double>() <= 1e-3 * (1.0 + range));
    }
  }
}

TEST_CASE("models: packed BN-AlexNet gives LibTorch's logits in the engine", "[imagenet]") {
  // Ternary middle layers with FP conv1 / FC8 (ff_lf, as the paper's AlexNet), BN statistics
  // that are not the identity (BN1d too), one 224 x 224 image: the graph is fixed-size.
  torch::manual_seed(6);
  auto net = make_model(model("alexnet_bn", "wacv19", "fp", 10));
  {
    torch::NoGradGuard ng;
    for (auto& b : net->named_buffers()) {
      if (b.key().find("running_mean") != std::string::npos) b.value().uniform_(-0.3, 0.3);
      if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2.0);
    }
  }
  net->eval();
  const kernels::Model m = pack_network(*net, {});
  CHECK(m.nodes.size() == 11);  // 5 convs, 3 max-pools, 3 FCs
  CHECK(m.nodes.back().name == "classifier.6");
  CHECK(kernels::infer_shapes(m).at("features.17") == kernels::TensorShape{6, 6, 256});
  CHECK(m.nodes[8].weights.ternary);    // FC6: ternary, columns in NHWC order
  CHECK(!m.nodes[10].weights.ternary);  // FC8: FP (ff_lf)
  const auto x = torch::randn({1, 3, 224, 224});
  torch::Tensor want;
  {
    torch::NoGradGuard ng;
    want = net->forward(x).contiguous();
  }
  const auto nhwc = x.permute({0, 2, 3, 1}).contiguous();
  const std::vector<float> image(nhwc.data_ptr<float>(), nhwc.data_ptr<float>() + nhwc.numel());
  const double range = want.abs().max().item<double>();
  for (const char* impl : {"ternary_f32", "onednn_f32"}) {
    INFO(impl);
    auto got = kernels::Engine(m, {impl}).run(image, 1);
    auto g = torch::from_blob(got.data(), want.sizes(), torch::kFloat);
    CHECK((g - want).abs().max().item<double>() <= 1e-3 * (1.0 + range));
  }
  // Other sizes: the 6x6 map FC6 was packed for is not there.
  kernels::Model small = m;
  small.in_h = small.in_w = 160;
  CHECK_THROWS_WITH(kernels::infer_shapes(small), Contains("classifier.0") && Contains("9216"));
}

TEST_CASE("models: the REL bias switch adds the FC bias once per term", "[imagenet]") {
  torch::manual_seed(3);
  auto per_term = make_model(model("resnet18", "wacv19", "ternary", 10, {{"terms", 2}}));
  auto once =
      make_model(model("resnet18", "wacv19", "ternary", 10, {{"terms", 2}, {"rel_bias", "once"}}));
  torch::NoGradGuard ng;
  auto pa = per_term->named_parameters(), pb = once->named_parameters();
  for (const auto& p : pa) pb[p.key()].copy_(p.value());
  pa["fc.bias"].fill_(0.25);
  pb["fc.bias"].fill_(0.25);
  per_term->eval();
  once->eval();
  auto x = torch::randn({2, 3, 32, 32});
  auto diff = per_term->forward(x) - once->forward(x);
  CHECK(torch::allclose(diff, torch::full_like(diff, 0.25), 1e-5, 1e-5));  // (2 - 1) x b
}

TEST_CASE(
    "import: a torchvision state_dict loads by name - wrong files give named errors - TGA delta "
    "re-initialised",
    "[imagenet]") {
  auto dir = test::fresh_temp_dir("tvimport");
  torch::manual_seed(4);
  auto fp = make_model(model("resnet18", "fp", "fp", 10));
  const std::string file = (dir / "resnet18.pth").string();
  export_state_dict(*fp, file);  // an FP model exports exactly the torchvision keys
  auto keys = read_state_dict(file);
  CHECK(keys.size() == fp->named_parameters().size() + fp->named_buffers().size());

  auto cfg = smoke("imagenet/resnet18-tga");
  auto t = make_trainable(cfg, 1, torch::kCPU, "", file);
  auto loaded = t.net->named_parameters();
  CHECK(torch::equal(loaded["layer2.0.conv1.weight"],
                     fp->named_parameters()["layer2.0.conv1.weight"]));
  for (const auto& l : t.net->quant_layers()) {
    INFO(l.name);
    auto delta = t.net->named_parameters()[l.name + ".quantizer.delta"];
    CHECK(delta.item<double>() == Approx(0.05 * l.weight.abs().max().item<double>()).epsilon(1e-6));
  }
  REQUIRE(t.threshold_opt);  // TGA's deltas have their own optimizer

  auto r34 = make_model(model("resnet34", "fp", "fp", 10));
  CHECK_THROWS_WITH(load_torchvision(file, *r34), Contains("missing key") &&
                                                      Contains("layer1.2.conv1.weight") &&
                                                      Contains("resnet18.pth"));
  auto r18_1000 = make_model(model("resnet18", "fp", "fp", 1000));
  CHECK_THROWS_WITH(load_torchvision(file, *r18_1000),
                    Contains("shape mismatch") && Contains("fc.weight"));
  export_state_dict(*r34, (dir / "r34.pth").string());
  auto r18 = make_model(model("resnet18", "fp", "fp", 10));
  CHECK_THROWS_WITH(load_torchvision((dir / "r34.pth").string(), *r18),
                    Contains("unexpected key") && Contains("layer1.2"));
  write_file_atomic((dir / "junk.pth").string(), "not a zip");
  CHECK_THROWS_WITH(load_torchvision((dir / "junk.pth").string(), *r18),
                    Contains("junk.pth") && Contains("zip"));
}

TEST_CASE(
    "train: ResNet-18 WACV'19 t_ex=2 smoke on the JPEG folder - loss decreases - exact resume",
    "[imagenet][train]") {
  // The experiment's smoke profile (48 px crops, 2 epochs); at 32 px the loss did not reliably fall
  // in 2 epochs.
  auto cfg = smoke("imagenet/resnet18-wacv19-tex2");
  auto straight = test::fresh_temp_dir("in-straight"), resumed = test::fresh_temp_dir("in-resumed");
  auto a = train(cfg, options(straight));
  REQUIRE(a["status"] == "finished");
  const auto& h = a["history"];
  REQUIRE(h.size() == 2);
  CHECK(h[1]["train_loss"].get<double>() < h[0]["train_loss"].get<double>());
  CHECK(a["data_errors"]["count"] == 2);
  CHECK(a["dataset"]["classes"] == 10);
  CHECK(h[0].contains("data_wait_seconds"));
  CHECK(a["footprint"]["weight_compression"].get<double>() > 7.0);  // 2 terms: about 8X
  auto o = options(resumed);
  o.stop_after_epochs = 1;
  REQUIRE(train(cfg, o)["status"] == "interrupted");
  auto b = train(cfg, options(resumed));
  REQUIRE(b["status"] == "finished");
  REQUIRE(b["segments"].size() == 2);
  for (int e = 0; e < 2; ++e) {
    CHECK(a["history"][e]["train_loss"] == b["history"][e]["train_loss"]);
    CHECK(a["history"][e]["test_top1"] == b["history"][e]["test_top1"]);
  }
  auto load = [&](const fs::path& d) {
    auto net = make_model(model_config_of(cfg));
    load_checkpoint((d / "checkpoints/final.pt").string(), *net, nullptr, nullptr, nullptr);
    return net;
  };
  auto na = load(straight), nb = load(resumed);
  auto pb = nb->named_parameters();
  for (const auto& p : na->named_parameters()) {
    INFO(p.key());
    CHECK(torch::equal(p.value(), pb[p.key()]));
  }
}

TEST_CASE("imagenet data: the loader's normalisation equals normalize_nhwc bit for bit",
          "[imagenet]") {
  // CPU batches are normalised by the loader's threads (lib/data/image_loader.cpp), GPU batches by
  // normalize_nhwc on the device: both must give the same values.
  auto px = torch::randint(0, 256, {2, 5, 7, 3}, torch::TensorOptions().dtype(torch::kUInt8));
  auto x = normalize_nhwc(px, kImageNetMean, kImageNetStd, true);
  auto p = px.accessor<uint8_t, 4>();
  auto v = x.accessor<float, 4>();  // NCHW indices over channels-last memory
  int64_t mismatches = 0;
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t h = 0; h < 5; ++h)
      for (int64_t w = 0; w < 7; ++w)
        for (int c = 0; c < 3; ++c) {
          const float want =
              (float(p[n][h][w][c]) - float(kImageNetMean[c])) * (1.0f / float(kImageNetStd[c]));
          mismatches += v[n][c][h][w] != want;
        }
  CHECK(mismatches == 0);
  // The loader's defaults (tnn/imagedata.hpp, no LibTorch) are the same constants.
  const tnn::imagedata::LoaderOptions o;
  for (int c = 0; c < 3; ++c) {
    CHECK(o.mean[c] == kImageNetMean[c]);
    CHECK(o.std[c] == kImageNetStd[c]);
  }
}

TEST_CASE("imagenet config: a crop larger than the resize is refused, naming both fields",
          "[imagenet]") {
  // The eval transform crops the resized image (torchvision would pad instead): say so up front.
  CHECK_THROWS_WITH(smoke("imagenet/resnet18-wacv19-tex2", {{"data.crop_size", 64}}),
                    Contains("data.crop_size") && Contains("resize_size"));
  CHECK_NOTHROW(smoke("imagenet/resnet18-wacv19-tex2", {{"data.crop_size", 56}}));
}
