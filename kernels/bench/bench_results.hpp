// A tnn_kernel_bench run (Google Benchmark JSON) read back as (op, impl, shape, threads) ->
// repetition times, and what the kernel tables share (kernel_table.cpp: one machine's report;
// kernel_table_across.cpp: every machine side by side).
#pragma once

#include "tnn/kernels/ops.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace tnn::kernels::bench_report {

using json = nlohmann::json;

struct Run {
  std::string op, impl, shape;
  int threads = 1;
  std::vector<double> ms;    // one per repetition
  std::vector<double> rate;  // "flops" or "bytes_per_second" per repetition (peak suite)
  json counters = json::object();
  std::string label;

  double median() const {
    std::vector<double> v = ms;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  }
  double min() const { return *std::min_element(ms.begin(), ms.end()); }
  double max() const { return *std::max_element(ms.begin(), ms.end()); }
  double counter(const char* k) const { return counters.value(k, 0.0); }
};

class Results {
 public:
  // Throws std::invalid_argument unless `doc` is a Google Benchmark JSON document.
  Results(const json& doc, const json& roles);
  const Run* find(const std::string& op, const std::string& impl, const std::string& shape,
                  int threads) const {
    auto it = runs_.find(op + "/" + impl + "/" + shape + "/t" + std::to_string(threads));
    return it == runs_.end() ? nullptr : &it->second;
  }
  // Distinct (shape, threads) of an op in first-seen order.
  std::vector<std::pair<std::string, int>> cases(const std::string& op) const {
    std::vector<std::pair<std::string, int>> out;
    std::set<std::pair<std::string, int>> seen;
    for (const auto& key : order_) {
      const Run& r = runs_.at(key);
      if (r.op == op && seen.insert({r.shape, r.threads}).second)
        out.push_back({r.shape, r.threads});
    }
    return out;
  }
  bool any(const std::string& op) const { return !cases(op).empty(); }
  // Implementations of an op: references, then baselines, then the rest, registry order.
  std::vector<std::string> impls(const std::string& op) const;
  // Role in the run's own "tnn_roles" context (GPU baselines), else the registry's, else ternary.
  ops::Role role(const std::string& impl) const;
  // (ternary, baseline) pairs of an op: every non-reference, non-baseline implementation
  // against every baseline, except an FP32 kernel against an int8 baseline (no one trades
  // int8 for FP32 activations for speed).
  std::vector<std::pair<std::string, std::string>> pairs(const std::string& op) const;

 private:
  json roles_;
  std::map<std::string, Run> runs_;
  std::vector<std::string> order_;
};

std::vector<std::string> split(const std::string& s, char sep);
// Runs written before the registry (2026-11) named two GEMV baselines by variant.
void normalize_legacy(std::string& impl, std::string& shape);
// Int8 activations: a family of an int8 op in the registry (else by its name, e.g. auto_s8).
bool is_int8(const std::string& impl);

std::string fmt(const char* f, double v);  // printf of one number
std::string ms(const Run* r);              // median time, "–" when not measured
// Speed-up of `fast` over `base` (base time / fast time), both medians of the same run.
std::string speedup(const Run* fast, const Run* base);

// The run's context: roles it adds ("tnn_roles"), a string field, its speed-up targets.
json context_roles(const json& ctx);
std::string ctx_string(const json& ctx, const char* key);
json targets_of(const json& ctx);
// A target's run and its baseline's (targets written before the registry name baselines by
// legacy variants; normalized like the runs).
std::pair<const Run*, const Run*> target_runs(const Results& r, const json& g, int th);

}  // namespace tnn::kernels::bench_report
