// tnn pack: trained checkpoint -> packed .tnn model (BN folded, 2-bit codes + scales), verified
// against the LibTorch model on test images with the reference engine.
#include "commands.hpp"
#include "infer_common.hpp"

#include "tnn/data.hpp"
#include "tnn/kernels/engine.hpp"
#include "tnn/kernels/measures.hpp"
#include "tnn/pack.hpp"
#include "tnn/runtime.hpp"
#include "tnn/train.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace tnn::cli {

void add_pack(CLI::App& app) {
  struct Args {
    std::string checkpoint, output, data;
    int verify = 256;
    int64_t image_size = 0;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "pack", "pack a trained checkpoint into a .tnn model (2-bit codes, folded BN)");
  cmd->add_option("--checkpoint", a->checkpoint,
                  "checkpoint written by tnn run (final.pt / best.pt)")
      ->required();
  cmd->add_option("--output", a->output, "the .tnn file to write")->required();
  cmd->add_option(
      "--verify", a->verify,
      "test images to compare engine (ref) and LibTorch logits on (0 = skip; default 256; "
      "ImageNet models: 2 random images)");
  cmd->add_option("--data", a->data, "CIFAR-10 binary folder (for --verify)");
  cmd->add_option("--image-size", a->image_size,
                  "ImageNet models: the input the packed graph is built for (default: the "
                  "experiment's crop_size)");
  cmd->callback([a] {
    auto net = load_network(a->checkpoint);
    auto meta = checkpoint_config(a->checkpoint);
    const auto& cfg = meta["config"];
    nlohmann::json md = {{"experiment", cfg["id"]},
                         {"profile", cfg.value("profile", "")},
                         {"method", cfg["quantizer"]["method"]},
                         {"quantizer_params", cfg["quantizer"]["params"]},
                         {"arch", cfg["model"]["arch"]},
                         {"checkpoint", a->checkpoint},
                         {"epoch", meta["epoch"]},
                         {"environment", environment_info()}};
    const bool imagenet = cfg["data"].value("dataset", "cifar10") == "imagenet";
    if (a->image_size != 0 && (!imagenet || a->image_size < 32))
      throw std::invalid_argument("pack: --image-size " + std::to_string(a->image_size) +
                                  ": ImageNet models only, at least 32");
    const int64_t trained = cfg["data"].value("crop_size", int64_t(224));
    const int64_t crop = !imagenet ? 32 : a->image_size ? a->image_size : trained;
    if (imagenet) {  // what tnn infer needs to read an ImageNet folder, at the packed size
      md["data"] = cfg["data"];
      md["data"]["crop_size"] = crop;
      md["data"]["resize_size"] = int64_t(std::lround(
          double(crop) * double(cfg["data"].value("resize_size", int64_t(256))) / double(trained)));
    }
    md["input"] = imagenet ? "NHWC float, " + std::to_string(crop) + "x" + std::to_string(crop) +
                                 " centre crop after a resize of the shorter side to " +
                                 std::to_string(md["data"]["resize_size"].get<int64_t>()) +
                                 ", normalised per channel with mean (0.485,0.456,0.406) and std "
                                 "(0.229,0.224,0.225) on 0-1 (torchvision)"
                           : "NHWC float, normalised per channel with mean (125.3,123.0,113.9) "
                             "and std (63.0,62.1,66.7) on 0-255";
    auto model = pack_network(*net, md);
    model.in_h = model.in_w = crop;
    try {
      kernels::infer_shapes(model);
    } catch (const std::invalid_argument& e) {  // e.g. BN-AlexNet's FC6 needs its 6x6 map
      throw std::invalid_argument("pack: " + cfg["model"]["arch"].get<std::string>() +
                                  " does not pack at " + std::to_string(crop) + "x" +
                                  std::to_string(crop) + ": " + e.what());
    }
    kernels::write_model(model, a->output);
    auto fp = kernels::sum_footprints(kernels::model_footprint(model));
    std::printf(
        "%s: %s, %lld bytes on disk; weights %.3f bits each (%.2fX vs FP32), %.2fX with BN and "
        "biases\n",
        a->output.c_str(), cfg["id"].get<std::string>().c_str(),
        (long long)std::filesystem::file_size(a->output), fp.bits_per_weight(),
        fp.weight_compression(), fp.total_compression());
    if (a->verify <= 0) return;
    if (imagenet) {  // no ImageNet here necessarily: 2 random normal images at the crop size
      const auto x = torch::randn({2, 3, crop, crop});
      auto logits = kernels::Engine(kernels::read_model(a->output), {"ref"}).run(nhwc_floats(x), 2);
      const torch::Tensor ref = eval_logits(*net, x);
      const auto eng = torch::from_blob(logits.data(), ref.sizes(), torch::kFloat);
      const double diff = (eng - ref).abs().max().item<double>();
      const double bound = 1e-3 * (1.0 + ref.abs().max().item<double>());
      std::printf(
          "verify (2 random images, engine ref vs LibTorch eval): max |logit diff| %.2e "
          "(bound %.2e)\n",
          diff, bound);
      if (!(diff <= bound))
        throw std::runtime_error("packed model disagrees with the checkpoint (see above)");
      return;
    }
    auto data = load_cifar10(resolve_cifar10_dir(a->data), 1, a->verify);
    auto images = nhwc_images(data.test_images);
    kernels::Engine engine(kernels::read_model(a->output), {"ref"});
    auto logits = engine.run(images, data.test_images.size(0));
    auto ref = torch_logits(*net, data.test_images);
    auto eng = torch::from_blob(logits.data(), ref.sizes(), torch::kFloat);
    double max_diff = (eng - ref).abs().max().item<double>();
    double agree = eng.argmax(1).eq(ref.argmax(1)).to(torch::kDouble).mean().item<double>();
    std::printf(
        "verify (%lld test images, engine ref vs LibTorch eval): max |logit diff| %.2e, same "
        "prediction %.2f %%\n",
        (long long)ref.size(0), max_diff, 100 * agree);
    if (agree < 0.999)
      throw std::runtime_error("packed model disagrees with the checkpoint (see above)");
  });
}

}  // namespace tnn::cli
