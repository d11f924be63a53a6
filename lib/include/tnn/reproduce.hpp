// `tnn reproduce`: the runs the paper tables need, as a DAG (depends_on / init_from), run as
// child processes (`tnn run`) with at most `jobs` at a time; then tables and plots are rendered.
#pragma once

#include <string>
#include <vector>

namespace tnn {

struct ReproduceRequest {
  std::string profile = "quick";
  std::vector<std::string> tables;   // empty: all of experiments/tables
  std::string experiments_root = "experiments";
  std::string runs_root;             // where runs are placed and reused from
  std::string tables_out, plots_out, index_path;
  int jobs = 1;
  int threads_per_job = 0;           // 0: cores / jobs
  std::string data_dir;              // CIFAR-10 folder
  std::string imagenet_dir;          // ImageNet folder; empty: ImageNet runs are skipped ("no ImageNet")
  std::string tnn_exe;               // the tnn binary to run children with
  std::string source_dir;            // repository root (lib/report/plots.py)
  bool render_only = false;
  std::vector<std::string> render_profiles;  // profiles the tables show (default: {profile})
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

// Runs the plan and renders; returns the number of runs that failed.
int reproduce(const ReproduceRequest& r);

}  // namespace tnn
