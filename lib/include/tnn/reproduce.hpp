// `tnn reproduce`: the runs the paper tables need, as a DAG (depends_on / init_from), run as
// child processes (`tnn run`) with at most `jobs` at a time, or submitted to Slurm as one sbatch
// job per run (lib/exp/slurm.cpp); then tables and plots are rendered.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace tnn {

// --launcher slurm (docs/distributed.md).
struct SlurmOptions {
  std::string partition, account, time;  // sbatch --partition / --account / --time when set
  int gpus_per_run = 0;                   // > 0: that many tasks, one GPU each
  int tasks_per_run = 1;                  // CPU runs (gpus_per_run 0): data-parallel tasks
  int cpus_per_task = 0;                  // > 0: sbatch --cpus-per-task (threads per rank)
  bool dry_run = false;                   // print the job scripts, submit nothing
};

struct ReproduceRequest {
  std::string profile = "quick";
  std::vector<std::string> tables;   // empty: all of experiments/tables
  std::string experiments_root = "experiments";
  std::string runs_root;             // where runs are placed and reused from
  std::string tables_out, plots_out, index_path;
  int jobs = 1;
  int threads_per_job = 0;           // 0: cores / jobs
  std::string data_dir;
  std::string tnn_exe;               // the tnn binary to run children with
  std::string source_dir;            // repository root (lib/report/plots.py)
  bool render_only = false;
  std::vector<std::string> render_profiles;  // profiles the tables show (default: {profile})
  std::vector<std::string> only;     // these experiments (and what they need) instead of the tables'
  nlohmann::json overrides = nlohmann::json::object();  // --set path=value for every run
  SlurmOptions slurm;
};

// One node of the plan.
struct PlannedRun {
  std::string id, file, profile;
  int seed = 1;
  std::vector<size_t> deps;  // indices into the plan
  std::string status;        // finished | partial | missing | stale, at planning time
};

std::vector<PlannedRun> plan_runs(const ReproduceRequest& r, std::vector<std::string>* skipped);

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
