#include "tnn/reproduce.hpp"

#include "tnn/experiment.hpp"
#include "tnn/fileio.hpp"
#include "tnn/report.hpp"
#include "tnn/runner.hpp"
#include "tnn/runtime.hpp"
#include "tnn/ternarize.hpp"
#include "tnn/train.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace tnn {
namespace fs = std::filesystem;

std::vector<PlannedRun> plan_runs(const ReproduceRequest& r, std::vector<std::string>* skipped) {
  std::vector<PlannedRun> plan;
  std::map<std::string, std::vector<size_t>> by_id;  // id -> node indices (one per seed)
  // Adds an experiment (and, first, what it depends on); returns its nodes.
  std::function<std::vector<size_t>(const std::string&, int)> add = [&](const std::string& id,
                                                                        int depth) {
    if (depth > 32) throw std::invalid_argument(id + ": depends_on chain too deep (a cycle?)");
    if (by_id.count(id)) return by_id[id];
    std::string file = experiment_path(r.experiments_root, id);
    if (!fs::exists(file)) {
      if (skipped) skipped->push_back(id + ": no experiment file");
      return by_id[id] = {};
    }
    Experiment e = load_experiment(file);
    auto profiles = e.profile_names();
    if (r.profile != "paper" &&
        std::find(profiles.begin(), profiles.end(), r.profile) == profiles.end()) {
      if (skipped) skipped->push_back(id + ": defines no profile '" + r.profile + "'");
      return by_id[id] = {};
    }
    auto cfg = resolve_config(e, r.profile, r.overrides);
    const std::string dataset = cfg["data"]["dataset"];
    if (dataset == "imagenet" && r.imagenet_dir.empty() && !r.render_only) {
      if (skipped)
        skipped->push_back(
            id + ": not run here: no ImageNet (give --imagenet-data or set TNN_IMAGENET_DIR)");
      return by_id[id] = {};
    }
    std::vector<std::string> deps = cfg["depends_on"].get<std::vector<std::string>>();
    if (cfg["train"]["init_from"].is_string()) deps.push_back(cfg["train"]["init_from"]);
    std::vector<std::vector<size_t>> dep_nodes;
    for (const auto& d : deps) dep_nodes.push_back(add(d, depth + 1));
    std::vector<size_t> nodes;
    for (int seed : cfg["seeds"].get<std::vector<int>>()) {
      PlannedRun p{id, file, r.profile, dataset, seed, {}, ""};
      p.status = run_status(run_dir(r.runs_root, id, r.profile, seed), config_hash(cfg));
      for (const auto& dn : dep_nodes)
        for (size_t i : dn)
          if (plan[i].seed == seed) p.deps.push_back(i);  // init_from pairs runs by seed
      nodes.push_back(plan.size());
      plan.push_back(p);
    }
    return by_id[id] = nodes;
  };
  if (!r.only.empty()) {
    for (const auto& id : r.only) {
      if (!fs::exists(experiment_path(r.experiments_root, id)))
        throw std::invalid_argument("--only " + id + ": no such experiment (" +
                                    experiment_path(r.experiments_root, id) + ")");
      add(id, 0);
    }
    return plan;
  }
  for (const auto& t : load_tables((fs::path(r.experiments_root) / "tables").string(), r.tables))
    for (const auto& id : table_experiments(t)) add(id, 0);
  return plan;
}

namespace {

pid_t spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0)
    throw std::runtime_error("cannot start " + args[0]);
  return pid;
}

// Says the cost before spending it: each run with its state and estimated remaining time, and
// the total; warns when the runs would record uncommitted code. Returns the number of runs to do.
size_t print_plan(const ReproduceRequest& r, const std::vector<PlannedRun>& plan, int jobs,
                  int threads) {
  const nlohmann::json env = environment_info();
  CostContext ctx;
  ctx.cpu = env.value("cpu_model", "?");
  ctx.samples =
      load_cost_samples({r.runs_root, (fs::path(r.source_dir) / "results" / "runs").string()});
  const fs::path bench_dir = fs::path(r.source_dir) / "results" / "bench-train";
  if (fs::is_directory(bench_dir))
    for (const auto& f : fs::directory_iterator(bench_dir)) {
      if (f.path().extension() != ".json") continue;
      auto b = nlohmann::json::parse(read_file(f.path().string()));
      for (const auto& [m, v] : b["methods"].items())
        ctx.step_ratio_to_fp.emplace(m, v["step_time_ratio_to_fp"].get<double>());
    }
  ctx.macs_of = [](const nlohmann::json& cfg) {
    double macs = 0;
    auto net = make_model(model_config_of(cfg));
    for (const auto& l : net->quant_layers()) macs += double(l.macs_per_image);
    return macs;
  };
  size_t todo = 0;
  double total = 0;
  bool unknown = false;
  std::cout << "reproduce: plan for profile " << r.profile << " (" << jobs << " at a time x "
            << threads << " threads, into " << r.runs_root << "):\n";
  for (const auto& p : plan) {
    std::string line = "  " + p.id + " seed " + std::to_string(p.seed) + ": ";
    if (p.status == "finished") {
      std::cout << line << "finished, reused\n";
      continue;
    }
    ++todo;
    auto cfg = resolve_config(load_experiment(p.file), p.profile);
    int done = 0;
    if (p.status == "partial") {
      fs::path res = fs::path(run_dir(r.runs_root, p.id, p.profile, p.seed)) / "result.json";
      if (fs::exists(res))
        done = nlohmann::json::parse(read_file(res.string())).value("epochs_done", 0);
      line += "resume after epoch " + std::to_string(done) + "/" +
              std::to_string(cfg["train"]["epochs"].get<int>());
    } else {
      line +=
          p.status == "stale" ? "re-run (config changed; the old run is moved aside)" : "to run";
    }
    RunEstimate e = estimate_run(cfg, done, threads, ctx);
    if (e.seconds < 0)
      unknown = true;
    else
      total += e.seconds;
    std::cout << line << ", ~" << format_hours(e.seconds) << " (" << e.basis << ")\n";
  }
  std::cout << "reproduce: " << plan.size() << " runs, " << plan.size() - todo << " reused, "
            << todo << " to run: ~" << format_hours(total) << " of compute, ~"
            << format_hours(total / std::max(1, jobs)) << " wall at " << jobs << " at a time"
            << (unknown ? " (plus runs with no estimate)" : "")
            << " -- estimates scaled from measured runs, see each line\n";
  if (todo > 0 && env.value("git_dirty", false))
    std::cout << "reproduce: WARNING: the source tree has uncommitted changes outside results/; "
                 "the runs will "
                 "record git_dirty = true (commit first for clean provenance)\n";
  return todo;
}

void render(const ReproduceRequest& r) {
  RenderOptions o;
  o.runs_root = r.runs_root;
  o.experiments_root = r.experiments_root;
  o.profiles = r.render_profiles.empty() ? std::vector<std::string>{r.profile} : r.render_profiles;
  auto tables = load_tables((fs::path(r.experiments_root) / "tables").string(), r.tables);
  write_tables(tables, o, r.tables_out, r.index_path);
  if (!r.readme_path.empty() || !r.check_readme.empty()) {
    const std::string summary = render_summary(tables, o);
    if (!r.readme_path.empty()) {
      write_file_atomic(r.readme_path, readme_with_summary(r.readme_path, summary));
      std::cout << "reproduce: " << r.readme_path << ": \"What is measured so far\" regenerated\n";
    }
    if (!r.check_readme.empty() &&
        readme_with_summary(r.check_readme, summary) != read_file(r.check_readme))
      throw std::runtime_error(r.check_readme +
                               ": the generated \"What is measured so far\" block differs from "
                               "the committed results; run `make tables` and commit README.md");
  }
  std::cout << "reproduce: " << tables.size() << " tables rendered into " << r.tables_out
            << " (index " << r.index_path << ")\n";
  // Plots come from the same result JSON, via Debian's matplotlib.
  std::string script = (fs::path(r.source_dir) / "lib/report/plots.py").string();
  std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  std::string cmd = python + " '" + script + "' --runs '" + r.runs_root + "' --out '" +
                    r.plots_out + "' --profiles";
  for (const auto& p : o.profiles) cmd += " " + p;
  cmd += " --methods";
  for (const auto& info : ternarizer_registry()) cmd += " " + info.name;
  cmd += " --stateful";
  for (const auto& info : ternarizer_registry())
    if (has_own_state(info)) cmd += " " + info.name;
  if (std::system(cmd.c_str()) != 0)
    std::cerr << "reproduce: plots failed (is python3-matplotlib installed? `make deps`)\n";
}

}  // namespace

int reproduce(const ReproduceRequest& r) {
  if (r.render_only) {
    render(r);
    return 0;
  }
  std::vector<std::string> skipped;
  auto plan = plan_runs(r, &skipped);
  for (const auto& s : skipped) std::cout << "reproduce: skip " << s << "\n";
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  const int jobs = std::max(1, r.jobs);
  const int threads = r.threads_per_job > 0 ? r.threads_per_job : std::max(1, cores / jobs);
  print_plan(r, plan, jobs, threads);
  if (r.plan_only) return 0;

  enum State { kWaiting, kRunning, kDone, kFailed };
  std::vector<State> state(plan.size(), kWaiting);
  for (size_t i = 0; i < plan.size(); ++i)
    if (plan[i].status == "finished") state[i] = kDone;
  std::map<pid_t, size_t> running;
  int failed = 0;
  const auto t0 = std::chrono::steady_clock::now();
  while (true) {
    // Start what is ready.
    for (size_t i = 0; i < plan.size() && int(running.size()) < jobs; ++i) {
      if (state[i] != kWaiting) continue;
      bool ready = true, blocked = false;
      for (size_t d : plan[i].deps) {
        ready &= state[d] == kDone;
        blocked |= state[d] == kFailed;
      }
      if (blocked) {
        state[i] = kFailed;
        ++failed;
        std::cout << "reproduce: " << plan[i].id << " seed " << plan[i].seed
                  << " not run: a dependency failed\n";
        continue;
      }
      if (!ready) continue;
      std::vector<std::string> args = {r.tnn_exe,
                                       "--threads",
                                       std::to_string(threads),
                                       "run",
                                       plan[i].file,
                                       "--profile",
                                       plan[i].profile,
                                       "--seed",
                                       std::to_string(plan[i].seed),
                                       "--out",
                                       r.runs_root,
                                       "--data",
                                       plan[i].dataset == "imagenet" ? r.imagenet_dir : r.data_dir,
                                       "--no-deps"};
      for (const auto& [k, v] : r.overrides.items()) {
        args.push_back("--set");
        args.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
      }
      std::cout.flush();
      running[spawn(args)] = i;
      state[i] = kRunning;
    }
    if (running.empty()) break;
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) throw std::runtime_error("reproduce: waitpid failed");
    auto it = running.find(pid);
    if (it == running.end()) continue;
    size_t i = it->second;
    running.erase(it);
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    state[i] = ok ? kDone : kFailed;
    if (!ok) {
      ++failed;
      std::cout << "reproduce: FAILED " << plan[i].id << " seed " << plan[i].seed
                << " (see its log.jsonl)\n";
    }
  }
  double minutes =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 60.0;
  std::cout << "reproduce: runs done in " << minutes << " min, " << failed << " failed\n";
  render(r);
  return failed;
}

}  // namespace tnn
