// Trained checkpoint -> packed .tnn -> engine: the packed model predicts what the LibTorch model
// predicts (FP32-activation kernels), for every ternarizer; storage accounting matches the file.
#include <catch2/catch.hpp>

#include "test_helpers_data.hpp"
#include "tnn/experiment.hpp"
#include "tnn/kernels/engine.hpp"
#include "tnn/kernels/measures.hpp"
#include "tnn/pack.hpp"
#include "tnn/train.hpp"

#include <filesystem>

using namespace tnn;
namespace fs = std::filesystem;

namespace {
std::vector<float> nhwc(const torch::Tensor& u8) {
  AugmentOptions none;
  none.channels_last = false;
  auto x = make_batch(u8, torch::arange(u8.size(0), torch::kLong), none, nullptr, torch::kCPU)
               .permute({0, 2, 3, 1})
               .contiguous();
  return std::vector<float>(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
}
}  // namespace

TEST_CASE("pack: packed models predict as the LibTorch checkpoint for every method", "[pack]") {
  auto data = load_cifar10(test::data_dir(), 1, 200);
  auto images = nhwc(data.test_images);
  // One section per registered method, so `-c ttq` runs one (e.g. under the sanitizers, 4–6 min
  // each). The smoke recipe of ResNet-20 with each method's defaults.
  for (const auto& info : ternarizer_registry()) DYNAMIC_SECTION(info.name) {
      const std::string& m = info.name;
      auto dir = test::fresh_temp_dir("pack-" + m);
      auto cfg = resolve_config(load_experiment(test::experiment_file("cifar10/resnet20-fp")),
                                "smoke", {{"train.epochs", 1}, {"quantizer.method", m}});
      TrainOptions o;
      o.out_dir = dir.string();
      o.data_dir = test::data_dir();
      o.progress = false;
      train(cfg, o);
      auto net = make_model(model_config_of(cfg));
      load_checkpoint((dir / "checkpoints/final.pt").string(), *net, nullptr, nullptr, nullptr);
      net->eval();
      auto model = pack_network(*net, {{"experiment", cfg["id"]}});
      auto path = (dir / "model.tnn").string();
      kernels::write_model(model, path);
      // The file's accounting equals the training-side footprint.
      auto packed = kernels::sum_footprints(kernels::model_footprint(kernels::read_model(path)));
      CHECK(packed.weight_compression() ==
            Approx(footprint_report(*net)["weight_compression"].get<double>()).epsilon(1e-9));

      torch::Tensor ref;
      {
        torch::NoGradGuard ng;
        AugmentOptions aug;
        ref = net->forward(make_batch(data.test_images, torch::arange(200, torch::kLong), aug,
                                      nullptr, torch::kCPU));
      }
      // The plain reference loops take ~0.1 s an image: 32 images for it, all 200 for the kernels.
      for (auto [impl, n] : {std::pair<const char*, int64_t>{"ref", 32}, {"ternary_f32", 200}}) {
        kernels::Engine e(kernels::read_model(path), {impl});
        std::vector<float> out(size_t(n * 10));
        e.run(images.data(), n, out.data());
        auto logits = torch::from_blob(out.data(), {n, 10}, torch::kFloat);
        auto ref_n = ref.slice(0, 0, n);
        INFO(impl);
        // Relative to the logits' scale (TTQ with W_p = W_n = 1 on the FC gives logits in the
        // hundreds).
        CHECK((logits - ref_n).abs().max().item<double>() <
              1e-5 * (1 + ref_n.abs().max().item<double>()) * 100);
        CHECK(logits.argmax(1).eq(ref_n.argmax(1)).to(torch::kDouble).mean().item<double>() >=
              0.999);
      }
    }
}
