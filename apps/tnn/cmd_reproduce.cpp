// tnn reproduce: run what the paper tables need in a profile, then render tables and plots.
#include "commands.hpp"
#include "params.hpp"

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
  auto launcher = std::make_shared<std::string>("local");
  auto status = std::make_shared<bool>(false);
  auto sets = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("reproduce",
                                 "run the experiments the paper tables need and render the tables");
  cmd->add_option("--profile", a->profile, "smoke | quick | paper (default quick)");
  cmd->add_option("--tables", a->tables, "table ids (default: all in experiments/tables)")
      ->delimiter(',');
  cmd->add_option("--out", *out,
                  "output folder (default: a fresh out/reproduce-<profile>-<time>/; results/ with "
                  "--reuse or --render-only)");
  cmd->add_option("--runs", *runs,
                  "with --render-only: the run folders to render (default results/runs)");
  cmd->add_flag("--reuse", *reuse,
                "run into the committed results/ (reuse finished runs, resume unfinished ones)");
  cmd->add_option("--jobs", a->jobs, "runs at a time (default 1)");
  cmd->add_option("--data", a->data_dir, "CIFAR-10 binary folder");
  cmd->add_option(
      "--imagenet-data", a->imagenet_dir,
      "ImageNet folder (train/, val/; default $TNN_IMAGENET_DIR; none: ImageNet rows are not run)");
  cmd->add_flag("--render-only", a->render_only,
                "only render results/tables and results/plots from results/runs");
  cmd->add_option(
      "--check-readme", a->check_readme,
      "with --render-only: fail if this README's generated \"measured\" block is out of date");
  cmd->add_flag("--plan", a->plan_only,
                "print the runs to do, the runs reused and the estimated time; run nothing");
  cmd->add_option("--show-profiles", a->render_profiles,
                  "profiles the tables show, first available per row (default: the run profile; "
                  "render-only: paper,quick)")
      ->delimiter(',');
  cmd->add_option(
         "--only", a->only,
         "only these experiment ids (and what they depend on), e.g. cifar10/resnet20-ttq-ft")
      ->delimiter(',');
  cmd->add_option("--set", *sets, "override a config field in every run: path=value (repeatable)");
  cmd->add_option("--launcher", *launcher,
                  "local (default: child processes here) | slurm (one sbatch job per run)");
  cmd->add_option("--partition", a->slurm.partition, "slurm: sbatch --partition");
  cmd->add_option("--account", a->slurm.account, "slurm: sbatch --account");
  cmd->add_option("--time", a->slurm.time,
                  "slurm: sbatch --time per run, e.g. 4:00:00 (a run that reaches it checkpoints "
                  "and requeues)");
  cmd->add_option("--gpus-per-run", a->slurm.gpus_per_run,
                  "slurm: data-parallel ranks per run, one GPU each (default 0: CPU)");
  cmd->add_option("--tasks-per-run", a->slurm.tasks_per_run,
                  "slurm, CPU runs: data-parallel ranks per run (default 1)");
  cmd->add_option("--cpus-per-task", a->slurm.cpus_per_task,
                  "slurm: sbatch --cpus-per-task (threads per rank)");
  cmd->add_flag("--dry-run", a->slurm.dry_run,
                "slurm: print the job scripts and sbatch commands, submit nothing");
  cmd->add_flag("--status", *status,
                "slurm: each submitted run with its job id and state (needs the same --out)");
  cmd->callback([a, out, reuse, runs, launcher, status, sets] {
    if (*launcher != "local" && *launcher != "slurm")
      throw std::invalid_argument("--launcher: expected local or slurm, got '" + *launcher + "'");
    a->overrides = parse_key_values(*sets, "--set");
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
    } else if (*status) {
      throw std::invalid_argument("--status: give the --out folder of the submission");
    } else {
      char stamp[32];
      std::time_t now = std::time(nullptr);
      std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
      base = fs::path("out") / ("reproduce-" + a->profile + "-" + stamp);
    }
    if (a->render_only && a->render_profiles.empty()) a->render_profiles = {"paper", "quick"};
    a->runs_root = a->render_only
                       ? (runs->empty() ? (results / "runs").string() : *runs)
                       : (*reuse ? (results / "runs").string() : (base / "runs").string());
    // Rendering the committed results also regenerates the README's "What is measured so far".
    if (base == results && a->render_only && runs->empty())
      a->readme_path = (fs::path(TNN_SOURCE_DIR) / "README.md").string();
    a->tables_out = (base / "tables").string();
    a->plots_out = (base / "plots").string();
    a->index_path = (base / "README.md").string();
    if (*status) {
      const int left = slurm_status(*a);
      std::cout << (left == 0
                        ? "reproduce: no job queued or running\n"
                        : "reproduce: " + std::to_string(left) + " job(s) queued or running\n");
      return;
    }
    if (!a->render_only) a->data_dir = fs::absolute(resolve_cifar10_dir(a->data_dir)).string();
    if (!a->render_only && a->imagenet_dir.empty()) {
      const char* env = std::getenv("TNN_IMAGENET_DIR");
      if (env != nullptr) a->imagenet_dir = env;
    }
    if (!a->imagenet_dir.empty()) a->imagenet_dir = fs::absolute(a->imagenet_dir).string();
    if (*launcher == "slurm" && !a->render_only) {
      a->runs_root = fs::absolute(a->runs_root).string();
      a->index_path = fs::absolute(a->index_path).string();
      const int failed = submit_slurm(*a);
      if (failed > 0) throw std::runtime_error(std::to_string(failed) + " submission(s) failed");
      return;
    }
    int failed = reproduce(*a);
    if (failed > 0) throw std::runtime_error(std::to_string(failed) + " run(s) failed");
  });
}

}  // namespace tnn::cli
