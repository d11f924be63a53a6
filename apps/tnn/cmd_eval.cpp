// tnn eval: re-evaluate a checkpoint on the CIFAR-10 test set (top-1 / top-5).
#include "commands.hpp"

#include "tnn/data.hpp"
#include "tnn/fileio.hpp"
#include "tnn/train.hpp"

#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>

namespace tnn::cli {

namespace {
// Committed evidence must be reproducible: the file is the one the result vouches for, and it
// evaluates to the accuracy the result reports (on the same test images).
void check_against_result(const std::string& checkpoint, const std::string& result_path,
                          const EvalResult& r, double tolerance, bool full_test) {
  auto res = nlohmann::json::parse(read_file(result_path));
  if (res.value("status", "") != "finished")
    throw std::runtime_error(result_path + ": status is '" + res.value("status", "?") +
                             "', not a finished result");
  const std::string name = std::filesystem::path(checkpoint).filename().string();
  if (res.contains("checkpoints") && res["checkpoints"].contains(name)) {
    const std::string want = res["checkpoints"][name]["sha256"], got = sha256_file(checkpoint);
    if (want != got)
      throw std::runtime_error(checkpoint + ": sha256 " + got + " differs from " + want +
                               " recorded in " + result_path);
    std::cout << "sha256 matches " << result_path << "\n";
  } else {
    std::cout << result_path << " records no sha256 for " << name
              << " (a result written before they were recorded)\n";
  }
  if (full_test && res["config"]["data"].value("test_limit", 0) > 0)
    throw std::runtime_error(
        "--full-test with --expect: the run was evaluated on a test_limit subset");
  for (const char* k : {"top1", "top5"}) {
    const double want = res["final"][k], got = std::string(k) == "top1" ? r.top1 : r.top5;
    if (std::abs(got - want) > tolerance)
      throw std::runtime_error(checkpoint + ": " + k + " " + std::to_string(got) +
                               " differs from " + std::to_string(want) + " in " + result_path +
                               " by more than " + std::to_string(tolerance));
  }
  std::cout << "matches " << result_path << " (final top-1 " << res["final"]["top1"].get<double>()
            << ", top-5 " << res["final"]["top5"].get<double>() << ") within " << tolerance
            << " points\n";
}
}  // namespace

void add_eval(CLI::App& app) {
  struct Args {
    std::string checkpoint, data, expect;
    double tolerance = 0.05;
    bool full = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("eval", "evaluate a checkpoint on the CIFAR-10 test set");
  cmd->add_option("--checkpoint", a->checkpoint, "checkpoint (.pt) written by tnn run")->required();
  cmd->add_option("--data", a->data, "CIFAR-10 binary folder");
  cmd->add_flag("--full-test", a->full,
                "use all 10,000 test images even if the run used a test_limit");
  cmd->add_option("--expect", a->expect,
                  "a result.json to check against: the checkpoint's sha256 (when recorded) and its "
                  "final top-1 / "
                  "top-5; exits non-zero when they differ");
  cmd->add_option("--tolerance", a->tolerance,
                  "with --expect: allowed |top-k difference| in points (default 0.05)");
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
    auto data = load_cifar10(resolve_cifar10_dir(a->data), 1,
                             a->full ? 0 : cfg["data"]["test_limit"].get<int64_t>());
    auto r = evaluate(*net, data.test_images, data.test_labels, 500, torch::kCPU, m.channels_last);
    std::cout << std::fixed << std::setprecision(2) << a->checkpoint << " ("
              << cfg["id"].get<std::string>() << ", epoch " << meta["epoch"] << ") on "
              << data.label() << ", " << r.images << " test images: top-1 " << r.top1
              << " %, top-5 " << r.top5 << " %\n";
    if (!a->expect.empty())
      check_against_result(a->checkpoint, a->expect, r, a->tolerance, a->full);
  });
}

}  // namespace tnn::cli
