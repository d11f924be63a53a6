// tnn run: train one experiment file (all its seeds, or --seed) in a profile.
#include "commands.hpp"
#include "params.hpp"

#include "tnn/data.hpp"
#include "tnn/runner.hpp"

#include <iostream>
#include <memory>

namespace tnn::cli {

void add_run(CLI::App& app) {
  struct Args {
    std::string file, profile = "quick", out = "results/runs", data;
    std::vector<int> seeds;
    std::vector<std::string> set;
    bool fresh = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("run", "train an experiment (resumes an unfinished run, reuses a finished one)");
  cmd->add_option("experiment", a->file, "experiment JSON, e.g. experiments/cifar10/resnet20-wacv19.json")->required();
  cmd->add_option("--profile", a->profile, "smoke | quick | paper (default quick)");
  cmd->add_option("--seed", a->seeds, "seed(s); default: the experiment's seeds");
  cmd->add_option("--out", a->out, "root of run folders (default results/runs)");
  cmd->add_option("--data", a->data,
                  "data folder: CIFAR-10 binary (default $TNN_DATA_DIR, then ./data/cifar-10-batches-bin) or, for "
                  "data.dataset imagenet, the ImageNet folder with train/ and val/ (default $TNN_IMAGENET_DIR)");
  cmd->add_option("--set", a->set, "override a config field: path=value (repeatable), e.g. train.epochs=3");
  cmd->add_flag("--fresh", a->fresh, "re-train even if a finished run exists (the old one is moved aside)");
  cmd->callback([a] {
    RunRequest r;
    r.experiment_file = a->file;
    r.profile = a->profile;
    r.seeds = a->seeds;
    r.out_root = a->out;
    r.overrides = parse_key_values(a->set, "--set");
    r.data_dir = a->data;  // resolved by the dataset the experiment names
    r.reuse = !a->fresh;
    for (const auto& res : run_experiment(r)) {
      std::cout << res["experiment"].get<std::string>() << " seed " << res["seed"] << ": " << res["status"].get<std::string>();
      if (res.contains("final"))
        std::cout << ", final top-1 " << res["final"]["top1"] << " %, best " << res["best"]["top1"] << " % (epoch "
                  << res["best"]["epoch"] << ")";
      std::cout << "\n";
    }
  });
}

}  // namespace tnn::cli
