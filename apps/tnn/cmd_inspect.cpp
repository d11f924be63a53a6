// tnn inspect: per-layer ternarization state of a checkpoint (threshold, threshold / std(W), zero
// fraction of the first term), optionally next to the same model at initialisation (same config
// and seed), to see how far a learned threshold (TGA's delta) moved during training.
#include "commands.hpp"
#include "infer_common.hpp"

#include "tnn/fileio.hpp"
#include "tnn/pack.hpp"

#include <cstdio>
#include <memory>

namespace tnn::cli {

void add_inspect(CLI::App& app) {
  struct Args {
    std::string checkpoint, out;
    int init_seed = 0;
  };
  auto a = std::make_shared<Args>();
  auto* cmd =
      app.add_subcommand("inspect", "per-layer thresholds and zero fractions of a checkpoint");
  cmd->add_option("--checkpoint", a->checkpoint, "checkpoint (.pt) written by tnn run")->required();
  cmd->add_option(
      "--init-seed", a->init_seed,
      "also build the model at initialisation with this seed (the run's seed) and show the change");
  cmd->add_option("--out", a->out, "write the per-layer records as JSON");
  cmd->callback([a] {
    auto meta = checkpoint_config(a->checkpoint);
    auto net = load_network(a->checkpoint);
    nlohmann::json now = sparsity_report(*net)["layers"], init;
    if (a->init_seed > 0) {
      // Exactly what the trainer builds before epoch 1 (same seed, init and threshold init).
      auto t = make_trainable(meta["config"], a->init_seed, torch::kCPU);
      init = sparsity_report(*t.net)["layers"];
    }
    std::printf("%s (%s, epoch %d)\n", a->checkpoint.c_str(),
                meta["config"]["id"].get<std::string>().c_str(), meta["epoch"].get<int>());
    std::printf("%-28s %12s %10s %10s", "layer", "threshold", "thr/std", "zeros %");
    if (!init.is_null())
      std::printf(" %12s %10s %10s %10s", "thr @init", "thr/std@0", "zeros@0 %", "thr ratio");
    std::printf("\n");
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < now.size(); ++i) {
      const auto& l = now[i];
      if (l["zero_fraction_first_term"].is_null()) continue;  // full-precision layer
      nlohmann::json rec = {{"name", l["name"]},
                            {"threshold", l["threshold"]},
                            {"threshold_over_std", l["threshold_over_std"]},
                            {"zero_fraction_first_term", l["zero_fraction_first_term"]}};
      std::printf("%-28s %12.4g %10.3f %10.1f", l["name"].get<std::string>().c_str(),
                  l["threshold"].get<double>(), l["threshold_over_std"].get<double>(),
                  100 * l["zero_fraction_first_term"].get<double>());
      if (!init.is_null()) {
        const auto& b = init[i];
        const double ratio = l["threshold"].get<double>() / b["threshold"].get<double>();
        std::printf(" %12.4g %10.3f %10.1f %10.3f", b["threshold"].get<double>(),
                    b["threshold_over_std"].get<double>(),
                    100 * b["zero_fraction_first_term"].get<double>(), ratio);
        rec["at_init"] = {{"threshold", b["threshold"]},
                          {"threshold_over_std", b["threshold_over_std"]},
                          {"zero_fraction_first_term", b["zero_fraction_first_term"]}};
        rec["threshold_ratio_to_init"] = ratio;
      }
      std::printf("\n");
      out.push_back(rec);
    }
    if (!a->out.empty()) write_file_atomic(a->out, out.dump(2) + "\n");
  });
}

}  // namespace tnn::cli
