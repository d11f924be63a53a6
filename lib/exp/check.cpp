#include "tnn/check.hpp"

#include "tnn/experiment.hpp"
#include "tnn/pack.hpp"
#include "tnn/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace tnn {
namespace fs = std::filesystem;

namespace {

// A metric of one finished result; NaN if the metric is unknown.
double metric(const nlohmann::json& r, const std::string& m) {
  if (m == "final_top1") return r["final"]["top1"];
  if (m == "final_top5") return r["final"]["top5"];
  if (m == "best_top1") return r["best"]["top1"];
  if (m == "last10_top1") return last_epochs_mean_top1(r, 10);
  if (m == "final_train_loss") return r["history"].back()["train_loss"];
  if (m == "weight_compression") return r["footprint"]["weight_compression"];
  auto zeros = [&](kernels::ZeroCount which) {
    const auto v = mac_weighted_zeros(r, which);
    return v.is_number() ? v.get<double>() : 0.0;  // all-FP network: no zeros
  };
  // "mac_weighted_zero_fraction" is the older name of the first term's (the papers' sparsity).
  if (m == "mac_weighted_zero_fraction_first_term" || m == "mac_weighted_zero_fraction")
    return zeros(kernels::ZeroCount::kFirstTerm);
  if (m == "mac_weighted_zero_fraction_all_terms") return zeros(kernels::ZeroCount::kAllTerms);
  return std::nan("");
}

double mean_metric(const std::vector<nlohmann::json>& rs, const std::string& m) {
  double s = 0;
  for (const auto& r : rs) s += metric(r, m);
  return s / double(rs.size());
}

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", v);
  return b;
}

std::vector<std::string> experiment_files(const std::string& root) {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".json" || e.path().filename().string()[0] == '_') continue;
    if (e.path().parent_path().filename() == "tables" ||
        e.path().parent_path().filename() == "kernels")
      continue;
    files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::vector<std::string> experiments_with_expectations(const std::string& root,
                                                       const std::string& profile) {
  std::vector<std::string> out;
  for (const auto& f : experiment_files(root)) {
    Experiment e = load_experiment(f);
    if (e.config["expected"].contains(profile)) out.push_back(f);
  }
  return out;
}

std::vector<CheckOutcome> check_results(const std::string& root, const std::string& runs_root,
                                        const std::string& profile) {
  std::vector<CheckOutcome> out;
  for (const auto& f : experiments_with_expectations(root, profile)) {
    Experiment e = load_experiment(f);
    RunSummary runs = summarize_runs(runs_root, e.id, profile);
    for (const auto& x : e.config["expected"][profile]) {
      CheckOutcome c;
      c.experiment = e.id;
      c.metric = x.value("metric", "?");
      c.claim = x.value("claim", false);
      c.note = x.value("note", "");
      if (runs.finished.empty()) {
        c.detail = "no finished run in " + runs_root + "/" + e.id + "/" + profile;
        for (const auto& u : runs.unfinished)  // say how far an unfinished one got
          c.detail += " (" + u.value("status", std::string("?")) + " at epoch " +
                      std::to_string(u.value("epochs_done", 0)) + "/" +
                      std::to_string(u.value("epochs", 0)) + ")";
        out.push_back(c);
        continue;
      }
      double v;
      std::string m = c.metric, spread;
      if (m == "final_top1_minus_baseline") {
        RunSummary b = summarize_runs(runs_root, x.value("baseline", ""), profile);
        if (b.finished.empty()) {
          c.detail = "baseline " + x.value("baseline", std::string("<none>")) +
                     " has no finished run in profile " + profile;
          out.push_back(c);
          continue;
        }
        // Paired by seed (the claim is the difference at the same seed); over the seeds both have.
        auto pairs = paired_differences(runs.finished, b.finished, final_top1);
        if (pairs.empty()) {
          c.detail = "no seed has finished runs of both " + e.id + " and " +
                     x.value("baseline", std::string("?")) + " in profile " + profile;
          out.push_back(c);
          continue;
        }
        std::vector<double> d;
        std::string per_seed;
        for (const auto& p : pairs) {
          d.push_back(p.value);
          per_seed += (per_seed.empty() ? "" : ", ") + std::string("seed ") +
                      std::to_string(p.seed) + " " + num(p.value);
        }
        SeedStats st = seed_stats(d);
        v = st.mean;
        spread = "; paired over " + std::to_string(st.n) + " seed(s): " + per_seed;
        if (st.n >= 3) spread += "; 95 % CI ± " + num(st.ci95);
      } else {
        v = mean_metric(runs.finished, m);
      }
      if (std::isnan(v)) {
        c.detail = "unimplemented metric '" + m + "'";
        out.push_back(c);
        continue;
      }
      c.measured = true;
      c.pass = true;
      std::string want;
      if (x.contains("value")) {
        double t = x.value("tolerance", 0.0);
        c.pass &= std::abs(v - x["value"].get<double>()) <= t;
        want += "expected " + num(x["value"].get<double>()) + " ± " + num(t);
      }
      if (x.contains("min")) {
        c.pass &= v >= x["min"].get<double>();
        want += (want.empty() ? "" : ", ") + std::string(">= ") + num(x["min"].get<double>());
      }
      if (x.contains("max")) {
        c.pass &= v <= x["max"].get<double>();
        want += (want.empty() ? "" : ", ") + std::string("<= ") + num(x["max"].get<double>());
      }
      if (want.empty()) {
        c.pass = c.measured = false;
        want = "no value/min/max given";
      }
      c.detail = "measured " + num(v) + " (mean of " + std::to_string(runs.finished.size()) +
                 " run(s)" + spread + "), " + want;
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace tnn
