// Seed statistics for tables and checks: what a run's accuracy is under each selection rule, and
// the ternary - FP difference paired by seed with its spread and 95 % interval.
#include "tnn/report.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace tnn {

double final_top1(const nlohmann::json& result) {
  return result.at("final").at("top1").get<double>();
}

double best_epoch_top1(const nlohmann::json& result) {
  return result.at("best").at("top1").get<double>();
}

double last_epochs_mean_top1(const nlohmann::json& result, int k) {
  const auto& h = result.at("history");
  if (h.empty())
    throw std::invalid_argument("result of " + result.value("experiment", std::string("?")) +
                                ": empty history");
  const size_t n = std::min(h.size(), size_t(std::max(1, k)));
  double s = 0;
  for (size_t i = h.size() - n; i < h.size(); ++i) s += h[i].at("test_top1").get<double>();
  return s / double(n);
}

namespace {
// Two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom (standard tables).
double t975(int dof) {
  static const double t[] = {12.706, 4.303, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
                             2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080,
                             2.074,  2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042, 2.042};
  if (dof < 1) return std::nan("");
  return dof <= 30 ? t[dof - 1] : 1.96;
}
}  // namespace

SeedStats seed_stats(const std::vector<double>& v) {
  SeedStats s;
  s.n = int(v.size());
  if (s.n == 0) return s;
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  for (double x : v) s.mean += x;
  s.mean /= s.n;
  if (s.n > 1) {
    for (double x : v) s.std += (x - s.mean) * (x - s.mean);
    s.std = std::sqrt(s.std / (s.n - 1));
  }
  // A 95 % interval from two seeds is too wide to mean much: given from three on, as promised.
  if (s.n >= 3) s.ci95 = t975(s.n - 1) * s.std / std::sqrt(double(s.n));
  return s;
}

std::vector<PairedDifference> paired_differences(const std::vector<nlohmann::json>& runs,
                                                 const std::vector<nlohmann::json>& baseline,
                                                 double (*metric)(const nlohmann::json&)) {
  std::map<int, double> base;
  for (const auto& b : baseline) base[b.at("seed").get<int>()] = metric(b);
  std::vector<PairedDifference> out;
  for (const auto& r : runs) {
    int seed = r.at("seed").get<int>();
    auto it = base.find(seed);
    if (it != base.end()) out.push_back({seed, metric(r) - it->second});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.seed < b.seed; });
  return out;
}

std::vector<PhaseGap> gap_by_phase(const nlohmann::json& run, const nlohmann::json& baseline,
                                   int max_phases) {
  const auto& h = run.at("history");
  const auto& b = baseline.at("history");
  if (h.empty() || h.size() != b.size()) return {};
  auto same = [](double x, double y) { return std::abs(x - y) <= 1e-9 * std::abs(y); };
  std::vector<PhaseGap> out;  // sums first, divided by the phase's epoch count at the end
  std::vector<int> epochs;
  for (size_t i = 0; i < h.size(); ++i) {
    if (!h[i].contains("lr") || !b[i].contains("lr") || h[i]["epoch"] != b[i]["epoch"]) return {};
    const double lr = h[i]["lr"];
    if (!same(lr, b[i]["lr"].get<double>())) return {};
    if (out.empty() || !same(lr, out.back().lr)) {
      if (int(out.size()) == max_phases) return {};
      out.push_back({h[i]["epoch"].get<int>(), 0, lr, 0, 0});
      epochs.push_back(0);
    }
    PhaseGap& p = out.back();
    p.last_epoch = h[i]["epoch"];
    p.test_gap += h[i].at("test_top1").get<double>() - b[i].at("test_top1").get<double>();
    p.train_gap += h[i].contains("train_top1") && b[i].contains("train_top1")
                       ? h[i]["train_top1"].get<double>() - b[i]["train_top1"].get<double>()
                       : std::nan("");
    ++epochs.back();
  }
  for (size_t k = 0; k < out.size(); ++k) {
    out[k].test_gap /= epochs[k];
    out[k].train_gap /= epochs[k];
  }
  return out;
}

}  // namespace tnn
