// `tnn reproduce`: the runs the paper tables need, as a DAG (depends_on / init_from), run as
// child processes (`tnn run`) with at most `jobs` at a time, or submitted to Slurm as one sbatch
// job per run (lib/exp/slurm.cpp); then tables and plots are rendered.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace tnn {

// --launcher slurm (docs/distributed.md).
struct SlurmOptions {
  std::string partition, account, time;  // sbatch --partition / --account / --time when set
  int gpus_per_run = 0;                  // > 0: that many tasks, one GPU each
  int tasks_per_run = 1;                 // CPU runs (gpus_per_run 0): data-parallel tasks
  int cpus_per_task = 0;                 // > 0: sbatch --cpus-per-task (threads per rank)
  bool dry_run = false;                  // print the job scripts, submit nothing
};

struct ReproduceRequest {
  std::string profile = "quick";
  std::vector<std::string> tables;  // empty: all of experiments/tables
  std::string experiments_root = "experiments";
  std::string runs_root;  // where runs are placed and reused from
  std::string tables_out, plots_out, index_path;
  int jobs = 1;
  int threads_per_job = 0;   // 0: cores / jobs
  std::string data_dir;      // CIFAR-10 folder
  std::string imagenet_dir;  // ImageNet folder; empty: ImageNet runs are skipped ("no ImageNet")
  std::string tnn_exe;       // the tnn binary to run children with
  std::string source_dir;    // repository root (lib/report/plots.py)
  bool render_only = false;
  bool plan_only = false;    // print the plan with its estimated cost, run nothing
  std::string readme_path;   // non-empty: rewrite its generated "measured" block
  std::string check_readme;  // non-empty: fail when its generated block is out of date
  std::vector<std::string> render_profiles;  // profiles the tables show (default: {profile})
  std::vector<std::string> only;  // these experiments (and what they need) instead of the tables'
  nlohmann::json overrides = nlohmann::json::object();  // --set path=value for every run
  SlurmOptions slurm;
};

// One node of the plan.
struct PlannedRun {
  std::string id, file, profile;
  std::string dataset = "cifar10";  // data.dataset: picks the --data folder of the child
  int seed = 1;
  std::vector<size_t> deps;  // indices into the plan
  std::string status;        // finished | partial | missing | stale, at planning time
};

std::vector<PlannedRun> plan_runs(const ReproduceRequest& r, std::vector<std::string>* skipped);

// Estimated wall time of a run's remaining epochs (lib/exp/estimate.cpp), scaled from the
// per-image cost of an earlier run of >= 2 epochs (same CPU model, architecture, method and
// thread count preferred): across threads by T^0.8, across architectures by MACs per image,
// across methods by `tnn bench-train`'s step-time ratios. `basis` says which run and scalings.
struct CostSample {
  double seconds_per_image = 0;  // wall (train + eval) per training image
  double macs = 0;               // per image, conv + FC
  int threads = 1, epochs = 0;
  std::string cpu, arch, method, dataset, where;
};
std::vector<CostSample> load_cost_samples(const std::vector<std::string>& runs_roots);
struct CostContext {
  std::string cpu;  // this machine's CPU model
  std::vector<CostSample> samples;
  std::map<std::string, double> step_ratio_to_fp;  // results/bench-train: method -> step time / fp
  std::function<double(const nlohmann::json&)> macs_of;  // MACs per image of a resolved config
};
struct RunEstimate {
  double seconds = -1;
  std::string basis;
};
RunEstimate estimate_run(const nlohmann::json& resolved_config, int epochs_done, int threads,
                         const CostContext& ctx);
std::string format_hours(double seconds);  // "42 s", "17 min", "3.4 h", "unknown"

// Runs the plan and renders; returns the number of runs that failed.
int reproduce(const ReproduceRequest& r);

// --launcher slurm: submits every unfinished run of the plan as an sbatch job chained with
// --dependency=afterok, then a job that renders the tables; records the jobs in
// <out>/slurm/jobs.json. Returns the number of failed submissions.
int submit_slurm(const ReproduceRequest& r);
// --status: each recorded job with its Slurm state and its run folder's progress. Returns the
// number of jobs still queued or running.
int slurm_status(const ReproduceRequest& r);

}  // namespace tnn
