// tnn check: compare results with the expected values stored in the experiment files. With --run
// the experiments that have expectations for the profile are trained first (smoke in CI).
#include "commands.hpp"

#include "tnn/check.hpp"
#include "tnn/data.hpp"
#include "tnn/runner.hpp"

#include <filesystem>
#include <iostream>
#include <memory>

namespace tnn::cli {

void add_check(CLI::App& app) {
  struct Args {
    std::string profile = "smoke", runs, data;
    bool run = false, strict = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd =
      app.add_subcommand("check", "check results against the expected values of the experiments");
  cmd->add_option("--profile", a->profile,
                  "profile whose expectations are checked (default smoke)");
  cmd->add_option("--runs", a->runs,
                  "run folders (default results/runs, or a fresh folder with --run)");
  cmd->add_flag("--run", a->run,
                "train the experiments that have expectations first (into --runs)");
  cmd->add_option("--data", a->data, "CIFAR-10 binary folder (with --run)");
  cmd->add_flag("--strict", a->strict,
                "also fail when a measured paper claim (\"claim\": true) is not met");
  cmd->callback([a] {
    namespace fs = std::filesystem;
    std::string root = (fs::path(TNN_SOURCE_DIR) / "experiments").string();
    std::string runs =
        a->runs.empty() ? (fs::path(TNN_SOURCE_DIR) / "results/runs").string() : a->runs;
    if (a->run) {
      if (a->runs.empty())
        throw std::invalid_argument(
            "--run needs --runs DIR (never trains into results/ by accident)");
      for (const auto& f : experiments_with_expectations(root, a->profile)) {
        RunRequest r;
        r.experiment_file = f;
        r.profile = a->profile;
        r.out_root = runs;
        r.data_dir = resolve_cifar10_dir(a->data);
        r.progress = false;
        run_experiment(r);
      }
    }
    auto outcomes = check_results(root, runs, a->profile);
    int failed = 0, claims_missed = 0;
    for (const auto& o : outcomes) {
      const bool claim_missed = !o.pass && o.claim && o.measured;  // a finding, not a broken result
      std::cout << (o.pass         ? (o.claim ? "CLAIM MET " : "PASS ")
                    : claim_missed ? "CLAIM NOT MET "
                                   : "FAIL ")
                << o.experiment << " " << o.metric << ": " << o.detail << "\n";
      claims_missed += claim_missed;
      failed += !o.pass && !claim_missed;
    }
    std::cout << "check (" << a->profile << "): " << outcomes.size() - failed - claims_missed
              << " passed, " << failed << " failed, " << claims_missed
              << " paper claim(s) not met\n";
    if (outcomes.empty())
      throw std::runtime_error("no expectations for profile '" + a->profile +
                               "' (nothing checked)");
    if (failed > 0) throw std::runtime_error(std::to_string(failed) + " check(s) failed");
    if (a->strict && claims_missed > 0)
      throw std::runtime_error(std::to_string(claims_missed) +
                               " paper claim(s) not met (--strict)");
  });
}

}  // namespace tnn::cli
