// tnn reproduce: run what the paper tables need in a profile, then render tables and plots.
#include "commands.hpp"

#include "tnn/data.hpp"
#include "tnn/reproduce.hpp"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>

namespace tnn::cli {

void add_reproduce(CLI::App& app) {
  auto a = std::make_shared<ReproduceRequest>();
  auto out = std::make_shared<std::string>();
  auto reuse = std::make_shared<bool>(false);
  auto runs = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("reproduce", "run the experiments the paper tables need and render the tables");
  cmd->add_option("--profile", a->profile, "smoke | quick | paper (default quick)");
  cmd->add_option("--tables", a->tables, "table ids (default: all in experiments/tables)")->delimiter(',');
  cmd->add_option("--out", *out, "output folder (default: a fresh out/reproduce-<profile>-<time>/; results/ with --reuse or --render-only)");
  cmd->add_option("--runs", *runs, "with --render-only: the run folders to render (default results/runs)");
  cmd->add_flag("--reuse", *reuse, "run into the committed results/ (reuse finished runs, resume unfinished ones)");
  cmd->add_option("--jobs", a->jobs, "runs at a time (default 1)");
  cmd->add_option("--data", a->data_dir, "CIFAR-10 binary folder");
  cmd->add_option("--imagenet-data", a->imagenet_dir,
                  "ImageNet folder (train/, val/; default $TNN_IMAGENET_DIR; none: ImageNet rows are not run)");
  cmd->add_flag("--render-only", a->render_only, "only render results/tables and results/plots from results/runs");
  cmd->add_option("--check-readme", a->check_readme,
                  "with --render-only: fail if this README's generated \"measured\" block is out of date");
  cmd->add_flag("--plan", a->plan_only, "print the runs to do, the runs reused and the estimated time; run nothing");
  cmd->add_option("--show-profiles", a->render_profiles,
                  "profiles the tables show, first available per row (default: the run profile; render-only: paper,quick)")
      ->delimiter(',');
  cmd->callback([a, out, reuse, runs] {
    namespace fs = std::filesystem;
    a->tnn_exe = fs::read_symlink("/proc/self/exe").string();
    a->source_dir = TNN_SOURCE_DIR;
    a->experiments_root = (fs::path(TNN_SOURCE_DIR) / "experiments").string();
    fs::path results = fs::path(TNN_SOURCE_DIR) / "results";
    fs::path base;
    if (!out->empty()) {
      base = *out;
    } else if (a->render_only || *reuse) {
      base = results;
    } else {
      char stamp[32];
      std::time_t now = std::time(nullptr);
      std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
      base = fs::path("out") / ("reproduce-" + a->profile + "-" + stamp);
    }
    if (a->render_only && a->render_profiles.empty()) a->render_profiles = {"paper", "quick"};
    a->runs_root = a->render_only ? (runs->empty() ? (results / "runs").string() : *runs)
                                  : (*reuse ? (results / "runs").string() : (base / "runs").string());
    // Rendering the committed results also regenerates the README's "What is measured so far".
    if (base == results && a->render_only && runs->empty())
      a->readme_path = (fs::path(TNN_SOURCE_DIR) / "README.md").string();
    a->tables_out = (base / "tables").string();
    a->plots_out = (base / "plots").string();
    a->index_path = (base / "README.md").string();
    if (!a->render_only) a->data_dir = resolve_cifar10_dir(a->data_dir);
    if (!a->render_only && a->imagenet_dir.empty()) {
      const char* env = std::getenv("TNN_IMAGENET_DIR");
      if (env != nullptr) a->imagenet_dir = env;
    }
    int failed = reproduce(*a);
    if (failed > 0) throw std::runtime_error(std::to_string(failed) + " run(s) failed");
  });
}

}  // namespace tnn::cli
