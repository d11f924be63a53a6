// tnn run: train one experiment file (all its seeds, or --seed) in a profile.
#include "commands.hpp"
#include "params.hpp"

#include "tnn/data.hpp"
#include "tnn/dist.hpp"
#include "tnn/runner.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

namespace tnn::cli {
namespace {

// Exit status of a run stopped by a checkpoint signal (EX_TEMPFAIL: try again later).
constexpr int kInterruptedExit = 75;

// This command line without --nproc (what each local rank runs).
std::vector<std::string> rank_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> args;
  for (std::string a; std::getline(in, a, '\0');) args.push_back(a);
  std::vector<std::string> out = {std::filesystem::read_symlink("/proc/self/exe").string()};
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--nproc") {
      ++i;
      continue;
    }
    if (args[i].rfind("--nproc=", 0) == 0) continue;
    out.push_back(args[i]);
  }
  return out;
}

}  // namespace

void add_run(CLI::App& app) {
  struct Args {
    std::string file, profile = "quick", out = "results/runs", data;
    std::vector<int> seeds;
    std::vector<std::string> set;
    bool fresh = false, no_deps = false;
    int nproc = 1;
    double timeout = 600;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "run", "train an experiment (resumes an unfinished run, reuses a finished one)");
  cmd->add_option("experiment", a->file,
                  "experiment JSON, e.g. experiments/cifar10/resnet20-wacv19.json")
      ->required();
  cmd->add_option("--profile", a->profile, "smoke | quick | paper (default quick)");
  cmd->add_option("--seed", a->seeds, "seed(s); default: the experiment's seeds");
  cmd->add_option("--out", a->out, "root of run folders (default results/runs)");
  cmd->add_option("--data", a->data,
                  "data folder: CIFAR-10 binary (default $TNN_DATA_DIR, then "
                  "./data/cifar-10-batches-bin) or, for "
                  "data.dataset imagenet, the ImageNet folder with train/ and val/ (default "
                  "$TNN_IMAGENET_DIR)");
  cmd->add_option("--set", a->set,
                  "override a config field: path=value (repeatable), e.g. train.epochs=3");
  cmd->add_flag("--fresh", a->fresh,
                "re-train even if a finished run exists (the old one is moved aside)");
  cmd->add_flag(
      "--no-deps", a->no_deps,
      "do not run the experiments this one depends on first (tnn reproduce schedules them itself)");
  cmd->add_option("--nproc", a->nproc,
                  "data-parallel: start N local ranks (one per GPU, or cores/N threads each on the "
                  "CPU), as torchrun --standalone "
                  "(docs/distributed.md); torchrun's and srun's variables are read without it");
  cmd->add_option("--dist-timeout", a->timeout,
                  "data-parallel: seconds before a collective, or a silent rank, counts as failed "
                  "(default 600)");
  cmd->callback([a] {
    const auto launch = dist::launch_from_environment();
    if (a->nproc > 1 && !launch.active()) {
      const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
      const int rc = dist::run_local_ranks(a->nproc, rank_command_line(),
                                           std::max(1, cores / a->nproc), a->timeout);
      if (rc != 0) std::exit(rc);
      return;
    }
    if (a->nproc > 1 && a->nproc != launch.world)
      throw std::invalid_argument("--nproc " + std::to_string(a->nproc) +
                                  " inside a launcher that says WORLD_SIZE " +
                                  std::to_string(launch.world));
    RunRequest r;
    r.experiment_file = a->file;
    r.profile = a->profile;
    r.seeds = a->seeds;
    r.out_root = a->out;
    r.overrides = parse_key_values(a->set, "--set");
    r.data_dir = a->data;  // resolved by the dataset the experiment names
    r.reuse = !a->fresh;
    r.run_dependencies = !a->no_deps;
    install_checkpoint_signals();
    if (launch.active()) r.dist = dist::connect(launch, a->timeout);
    auto results = run_experiment(r);
    if (checkpoint_signal() != 0) {
      if (launch.rank == 0)
        std::cout << "tnn run: stopped by signal " << checkpoint_signal()
                  << " after writing a checkpoint; run the same command to continue\n";
      r.dist.reset();  // leave the process group before exiting
      std::exit(kInterruptedExit);
    }
    if (launch.rank != 0) return;  // rank 0 reports
    for (const auto& res : results) {
      std::cout << res["experiment"].get<std::string>() << " seed " << res["seed"] << ": "
                << res["status"].get<std::string>();
      if (res.contains("final"))
        std::cout << ", final top-1 " << res["final"]["top1"] << " %, best " << res["best"]["top1"]
                  << " % (epoch " << res["best"]["epoch"] << ")";
      std::cout << "\n";
    }
  });
}

}  // namespace tnn::cli
