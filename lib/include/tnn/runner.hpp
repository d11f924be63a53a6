// Runs experiments: resolves the config for a profile and seed, places the run under
// <out>/<experiment id>/<profile>/seed<N>/, reuses a finished run with the same config hash,
// resumes an unfinished one, and runs `depends_on` / `train.init_from` experiments first.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace tnn {
namespace dist {
class Context;  // tnn/dist.hpp
}

struct RunRequest {
  std::string experiment_file;
  std::string profile = "quick";
  std::vector<int> seeds;  // empty: the experiment's own "seeds"
  std::string out_root = "results/runs";
  nlohmann::json overrides = nlohmann::json::object();  // --set path=value
  std::string data_dir;                                 // resolved CIFAR-10 folder
  bool progress = true;
  bool reuse = true;                    // false: re-train even if a finished result exists
  std::shared_ptr<dist::Context> dist;  // this process is one rank of a data-parallel run
  bool run_dependencies = true;  // false: tnn reproduce has run depends_on / init_from already
};

std::string run_dir(const std::string& out_root, const std::string& id, const std::string& profile,
                    int seed);

// Status of a run folder for this config: "finished", "partial" (a checkpoint to resume),
// "missing", or "stale" (a result of another config hash).
std::string run_status(const std::string& dir, const std::string& hash);

// Runs every requested seed; returns the result.json of each.
std::vector<nlohmann::json> run_experiment(const RunRequest& request);

}  // namespace tnn
