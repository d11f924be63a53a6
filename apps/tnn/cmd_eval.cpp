// tnn eval: re-evaluate a checkpoint on the CIFAR-10 test set (top-1 / top-5).
#include "commands.hpp"

#include "tnn/data.hpp"
#include "tnn/train.hpp"

#include <iomanip>
#include <iostream>
#include <memory>

namespace tnn::cli {

void add_eval(CLI::App& app) {
  struct Args {
    std::string checkpoint, data;
    bool full = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("eval", "evaluate a checkpoint on the CIFAR-10 test set");
  cmd->add_option("--checkpoint", a->checkpoint, "checkpoint (.pt) written by tnn run")->required();
  cmd->add_option("--data", a->data, "CIFAR-10 binary folder");
  cmd->add_flag("--full-test", a->full, "use all 10,000 test images even if the run used a test_limit");
  cmd->callback([a] {
    auto meta = checkpoint_config(a->checkpoint);
    const auto& cfg = meta["config"];
    ModelConfig m;
    m.arch = cfg["model"]["arch"];
    m.first_layer = cfg["model"]["first_layer"];
    m.last_layer = cfg["model"]["last_layer"];
    m.channels_last = cfg["model"]["channels_last"];
    m.quantizer = {cfg["quantizer"]["method"], cfg["quantizer"]["params"]};
    auto net = make_model(m);
    load_checkpoint(a->checkpoint, *net, nullptr, nullptr, nullptr);
    auto data = load_cifar10(resolve_cifar10_dir(a->data), 1, a->full ? 0 : cfg["data"]["test_limit"].get<int64_t>());
    auto r = evaluate(*net, data.test_images, data.test_labels, 500, torch::kCPU, m.channels_last);
    std::cout << std::fixed << std::setprecision(2) << a->checkpoint << " (" << cfg["id"].get<std::string>()
              << ", epoch " << meta["epoch"] << ") on " << data.label() << ", " << r.images << " test images: top-1 "
              << r.top1 << " %, top-5 " << r.top5 << " %\n";
  });
}

}  // namespace tnn::cli
