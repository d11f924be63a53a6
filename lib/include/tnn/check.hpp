// Result checks against expected values stored next to the experiments (in the manner of MLPerf
// targets / MMRazor metafiles): each experiment's "expected" maps a profile to a list of
//   {"metric": M, "value": v, "tolerance": t}            |measured - v| <= t
//   {"metric": M, "min": a} / {"metric": M, "max": b}     bounds
// with M one of final_top1, final_top5, best_top1, last10_top1 (mean of the last 10 epochs),
// final_train_loss, weight_compression, mac_weighted_zero_fraction_first_term (the papers'
// sparsity; older name mac_weighted_zero_fraction), mac_weighted_zero_fraction_all_terms (zeros
// of every residual term), or final_top1_minus_baseline (needs "baseline": experiment id,
// compared in the same profile and paired by seed, mean over the seeds both have; e.g. the
// papers' claim "ternary within 1 point of FP").
// A missing run or an unknown metric is a failure, never a skip.
// "claim": true marks a target that states what a paper claims (or what we expected before
// measuring) rather than a value recorded from our own finished run. A measured claim that is
// not met is a finding, reported as such ("CLAIM NOT MET"); `tnn check` fails on it only with
// --strict. An unmeasurable claim (no run, unknown metric) fails like any other target.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace tnn {

struct CheckOutcome {
  std::string experiment, metric, detail;
  std::string note;  // the expectation's own note (e.g. where a claim comes from)
  bool pass = false;
  bool claim = false;     // a paper's claim, not a recorded value (see above)
  bool measured = false;  // the metric could be computed from finished runs
};

// Checks every experiment under `experiments_root` that has expectations for `profile`, using
// the finished runs under runs_root (mean over seeds).
std::vector<CheckOutcome> check_results(const std::string& experiments_root,
                                        const std::string& runs_root, const std::string& profile);
// The experiment files that have expectations for `profile`.
std::vector<std::string> experiments_with_expectations(const std::string& experiments_root,
                                                       const std::string& profile);

}  // namespace tnn
