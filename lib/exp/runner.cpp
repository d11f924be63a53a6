#include "tnn/runner.hpp"

#include "tnn/dist.hpp"
#include "tnn/experiment.hpp"
#include "tnn/fileio.hpp"
#include "tnn/run_lock.hpp"
#include "tnn/torchvision_io.hpp"
#include "tnn/train.hpp"

#include <filesystem>
#include <iostream>
#include <set>
#include <stdexcept>

namespace tnn {
namespace fs = std::filesystem;

std::string run_dir(const std::string& out_root, const std::string& id, const std::string& profile,
                    int seed) {
  return (fs::path(out_root) / id / profile / ("seed" + std::to_string(seed))).string();
}

std::string run_status(const std::string& dir, const std::string& hash) {
  fs::path result = fs::path(dir) / "result.json";
  if (fs::exists(result)) {
    auto r = nlohmann::json::parse(read_file(result.string()));
    if (r.value("config_hash", "") != hash) return "stale";
    if (r.value("status", "") == "finished") return "finished";
  }
  if (fs::exists(fs::path(dir) / "checkpoints" / "last.pt")) return "partial";
  return "missing";
}

namespace {

fs::path experiments_root_of(const std::string& file) {
  for (fs::path p = fs::absolute(file).parent_path(); !p.empty() && p != p.root_path();
       p = p.parent_path())
    if (p.filename() == "experiments") return p;
  throw std::invalid_argument(file +
                              ": not inside an experiments/ folder (needed to find depends_on)");
}

std::vector<nlohmann::json> run_one(const RunRequest& req, std::set<std::string>& active) {
  Experiment e = load_experiment(req.experiment_file);
  if (active.count(e.id))
    throw std::invalid_argument(e.file + ": depends_on cycle through " + e.id);
  active.insert(e.id);
  nlohmann::json cfg = resolve_config(e, req.profile, req.overrides);
  const std::string hash = config_hash(cfg);
  std::vector<int> seeds = req.seeds;
  if (seeds.empty()) seeds = cfg["seeds"].get<std::vector<int>>();

  // Dependencies (and the experiment whose final weights initialise this one) run first.
  std::vector<std::string> deps = cfg["depends_on"].get<std::vector<std::string>>();
  if (cfg["train"]["init_from"].is_string()) deps.push_back(cfg["train"]["init_from"]);
  for (const auto& dep : req.run_dependencies ? deps : std::vector<std::string>{}) {
    RunRequest d = req;
    d.experiment_file = experiment_path(experiments_root_of(e.file).string(), dep);
    d.seeds = seeds;
    d.overrides = nlohmann::json::object();
    run_one(d, active);
    if (checkpoint_signal() != 0) return {};  // stopped by a checkpoint signal: nothing more
  }

  std::vector<nlohmann::json> results;
  for (int seed : seeds) {
    std::string dir = run_dir(req.out_root, e.id, req.profile, seed);
    std::string status = run_status(dir, hash);
    if (status == "finished" && req.reuse) {
      std::cout << e.id << "/" << req.profile << "/seed" << seed << ": finished run reused (" << dir
                << ")\n";
      results.push_back(nlohmann::json::parse(read_file(dir + "/result.json")));
      continue;
    }
    const bool writer = !req.dist || req.dist->rank() == 0;
    if (writer && (status == "stale" || (status == "finished" && !req.reuse))) {
      // Keep the old run: move it aside rather than deleting evidence (never from under a live
      // run).
      { RunLock probe(dir); }
      std::string aside = dir + ".old-" + std::to_string(std::time(nullptr));
      fs::rename(dir, aside);
      std::cout << e.id << ": previous run moved to " << aside << "\n";
    }
    TrainOptions o;
    o.out_dir = dir;
    o.seed = seed;
    o.data_dir = req.data_dir;
    o.progress = req.progress;
    o.dist = req.dist;
    if (cfg["train"]["init_from"].is_string())
      o.init_checkpoint = run_dir(req.out_root, cfg["train"]["init_from"], req.profile, seed) +
                          "/checkpoints/final.pt";
    else if (cfg["train"]["init_from"].is_object())  // {"torchvision": file}: pretrained FP weights
      o.init_torchvision = resolve_weights_file(cfg["train"]["init_from"]["torchvision"]);
    results.push_back(train(cfg, o));
    if (checkpoint_signal() != 0) break;
  }
  active.erase(e.id);
  return results;
}

}  // namespace

std::vector<nlohmann::json> run_experiment(const RunRequest& request) {
  std::set<std::string> active;
  return run_one(request, active);
}

}  // namespace tnn
