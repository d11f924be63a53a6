// Markdown reports of tnn_kernel_bench runs (see bench_table.hpp). Columns are the
// implementations a run holds, ordered and paired by their role in the operation registry
// (reference, baselines, ternary kernels): every ternary kernel gets a speed-up column against
// every baseline of its suite, so a new implementation shows up without touching this file.
#include "tnn/kernels/bench_table.hpp"

#include "tnn/kernels/ops.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <vector>

namespace tnn::kernels {

namespace {

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

double to_ms(double v, const std::string& unit) {
  if (unit == "ns") return v * 1e-6;
  if (unit == "us") return v * 1e-3;
  if (unit == "s") return v * 1e3;
  return v;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// Runs written before the registry (2026-11) named two GEMV baselines by variant:
// onednn_f32 .../sgemv and .../matmul, and dense_f32_avx512.
void normalize_legacy(std::string& impl, std::string& shape) {
  if (impl == "dense_f32_avx512") impl = "dense_f32";
  auto strip = [&](const std::string& suffix) {
    if (shape.size() > suffix.size() &&
        shape.compare(shape.size() - suffix.size(), suffix.size(), suffix) == 0) {
      shape.erase(shape.size() - suffix.size());
      return true;
    }
    return false;
  };
  if (impl == "onednn_f32") {
    if (strip("/matmul")) impl = "onednn_matmul";
    strip("/sgemv");
  }
}

// Role of an implementation name: the registry's, then the run's own "tnn_roles" context
// (e.g. GPU baselines), else ternary.
ops::Role role_of(const std::string& impl, const json& extra) {
  if (extra.is_object() && extra.contains(impl)) {
    const std::string r = extra[impl].get<std::string>();
    if (r == "reference") return ops::Role::kReference;
    if (r == "baseline") return ops::Role::kBaseline;
    if (r == "helper") return ops::Role::kHelper;
    return ops::Role::kTernary;
  }
  for (const ops::Impl& i : ops::registry())
    if (i.name == impl) return i.role;
  return ops::Role::kTernary;
}

// Position of a family in the registry (for a stable column order); unknown names last.
size_t registry_rank(const std::string& impl) {
  const auto& r = ops::registry();
  for (size_t i = 0; i < r.size(); ++i)
    if (r[i].name == impl) return i;
  return r.size();
}

class Results {
 public:
  Results(const json& doc, const json& roles) : roles_(roles) {
    if (!doc.is_object() || !doc.contains("benchmarks") || !doc["benchmarks"].is_array())
      throw std::invalid_argument("not a Google Benchmark JSON document (no \"benchmarks\")");
    for (const json& b : doc["benchmarks"]) {
      if (b.value("run_type", "iteration") != "iteration") continue;
      if (b.contains("error_occurred") && b["error_occurred"].is_boolean() &&
          b["error_occurred"].get<bool>())
        continue;
      std::vector<std::string> parts;
      for (const auto& p : split(b.value("run_name", b.value("name", "")), '/'))
        if (p.find(':') == std::string::npos && p != "real_time") parts.push_back(p);
      if (parts.size() < 3 || parts[0].rfind("BM_", 0) != 0) continue;
      // A trailing t<threads> (CPU runs); device runs (GPU) have none and count as 1.
      int threads = 1;
      const std::string& last = parts.back();
      const bool has_threads = last.size() >= 2 && last[0] == 't' &&
                               last.find_first_not_of("0123456789", 1) == std::string::npos;
      if (has_threads) threads = std::stoi(last.substr(1));
      const size_t end = parts.size() - (has_threads ? 1 : 0);
      if (end < 3) continue;
      std::string impl = parts[1], shape = parts[2];
      for (size_t i = 3; i < end; ++i) shape += "/" + parts[i];
      normalize_legacy(impl, shape);
      const std::string op = parts[0].substr(3);
      const std::string key = op + "/" + impl + "/" + shape + "/t" + std::to_string(threads);
      Run& r = runs_[key];
      r.op = op;
      r.impl = impl;
      r.shape = shape;
      r.threads = threads;
      r.ms.push_back(to_ms(b.value("real_time", 0.0), b.value("time_unit", "ns")));
      r.label = b.value("label", "");
      for (const char* k :
           {"macs", "weight_bytes", "batch", "zero_fraction", "copies", "layers", "round_trips"})
        if (b.contains(k) && b[k].is_number()) r.counters[k] = b[k];
      for (const char* k : {"flops", "bytes_per_second"})
        if (op == "peak" && b.contains(k) && b[k].is_number()) r.rate.push_back(b[k].get<double>());
      order_.push_back(key);
    }
  }
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
  std::vector<std::string> impls(const std::string& op) const {
    std::vector<std::string> out;
    for (const auto& [key, r] : runs_)
      if (r.op == op && std::find(out.begin(), out.end(), r.impl) == out.end())
        out.push_back(r.impl);
    auto rank = [&](const std::string& i) {
      const ops::Role ro = role(i);
      return ro == ops::Role::kReference ? 0 : ro == ops::Role::kBaseline ? 1 : 2;
    };
    std::sort(out.begin(), out.end(), [&](const std::string& a, const std::string& b) {
      if (rank(a) != rank(b)) return rank(a) < rank(b);
      if (registry_rank(a) != registry_rank(b)) return registry_rank(a) < registry_rank(b);
      return a < b;
    });
    return out;
  }
  ops::Role role(const std::string& impl) const { return role_of(impl, roles_); }
  // (ternary, baseline) pairs of an op: every non-reference, non-baseline implementation
  // against every baseline, except an FP32 kernel against an int8 baseline (no one trades
  // int8 for FP32 activations for speed).
  std::vector<std::pair<std::string, std::string>> pairs(const std::string& op) const;

 private:
  json roles_;
  std::map<std::string, Run> runs_;
  std::vector<std::string> order_;
};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string ms(const Run* r) {
  if (!r) return "–";
  const double v = r->median();
  return v < 0.1 ? fmt("%.4f", v) : v < 10 ? fmt("%.3f", v) : fmt("%.1f", v);
}

// Speed-up of `fast` over `base` (base time / fast time), both medians of the same run.
std::string speedup(const Run* fast, const Run* base) {
  if (!fast || !base) return "–";
  return fmt("%.2f×", base->median() / fast->median());
}

struct Roofline {
  double fp32 = 0, int8 = 0, l3 = 0;
  std::map<int, double> dram;
  bool measured = false;  // from this run's peak suite
  bool known() const { return fp32 > 0; }
  double dram_gbps(int threads) const {
    auto it = dram.find(threads);
    if (it != dram.end()) return it->second;
    return dram.empty() ? 0 : dram.rbegin()->second;
  }
};

// The best repetition of a peak benchmark, in G units per second (0 when absent).
double peak_rate(const Results& r, const std::string& impl, const std::string& shape, int th);

// This run's measured peaks when it has the peak suite, else rooflines.json's entry.
Roofline roofline(const json& ctx, const Results& res) {
  Roofline r;
  if (peak_rate(res, "fma_f32", "zmm", 1) > 0) {
    r.measured = true;
    r.fp32 = peak_rate(res, "fma_f32", "zmm", 1);
    r.int8 = peak_rate(res, "vnni_s8", "zmm", 1);
    r.l3 = peak_rate(res, "read", "l3-8MiB", 1);
    for (int th : {1, 2})
      if (peak_rate(res, "read", "dram-256MiB", th) > 0)
        r.dram[th] = peak_rate(res, "read", "dram-256MiB", th);
    return r;
  }
  if (!ctx.contains("tnn_roofline")) return r;
  const json j = json::parse(ctx["tnn_roofline"].get<std::string>(), nullptr, false);
  if (!j.is_object()) return r;
  r.fp32 = j.value("fp32_gflops_per_core", 0.0);
  r.int8 = j.value("int8_gops_per_core", 0.0);
  r.l3 = j.value("l3_gbps_per_core", 0.0);
  if (j.contains("dram_gbps"))
    for (const auto& [k, v] : j["dram_gbps"].items()) r.dram[std::stoi(k)] = v.get<double>();
  return r;
}

// Int8 activations: a family of an int8 op in the registry (else by its name, e.g. auto_s8).
bool is_int8(const std::string& impl) {
  for (const ops::Impl& i : ops::registry())
    if (i.name == impl) return i.op == ops::Op::kGemmW2A8 || i.op == ops::Op::kConvW2A8;
  return impl.find("s8") != std::string::npos;
}

// Compute floor in ms at the machine's peak (FMA rate for FP32 paths, VNNI for int8).
double compute_floor_ms(const Run& r, const Roofline& rf) {
  const double peak = (is_int8(r.impl) ? rf.int8 : rf.fp32) * r.threads * 1e9;
  return peak > 0 ? 2.0 * r.counter("macs") * r.counter("batch") / peak * 1e3 : 0;
}

double peak_rate(const Results& r, const std::string& impl, const std::string& shape, int th) {
  const Run* x = r.find("peak", impl, shape, th);
  if (!x || x->rate.empty()) return 0;
  return *std::max_element(x->rate.begin(), x->rate.end()) / 1e9;
}

void section_peaks(std::ostringstream& o, const Results& r, const Roofline& rf) {
  if (!r.any("peak")) return;
  o << "## This machine's peaks (measured in this run; the roofline columns use them)\n\n"
       "| | 1 thread | 2 threads |\n|---|---|---|\n";
  for (const auto& [impl, shape, unit] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"fma_f32", "zmm", "FP32 FMA, GFLOP/s"},
           {"vnni_s8", "zmm", "int8 vpdpbusd, GOP/s"},
           {"read", "l3-8MiB", "read, 8 MiB (L3), GB/s"},
           {"read", "dram-256MiB", "read, 256 MiB (DRAM), GB/s"}}) {
    o << "| " << unit << " |";
    for (int th : {1, 2}) {
      const double v = peak_rate(r, impl, shape, th);
      o << " " << (v > 0 ? fmt("%.1f", v) : std::string("–")) << " |";
    }
    o << "\n";
  }
  // Round trip of a cache line between the two threads' cores: its repetitions show whether the
  // VM's two vCPUs shared an L3 (tens of ns) or not (hundreds) while this run was taken.
  if (const Run* x = r.find("peak", "core_to_core", "round-trip", 2);
      x && x->counter("round_trips") > 0) {
    const double per = 1e6 / x->counter("round_trips");  // ms per iteration -> ns per round trip
    const double lo = x->min() * per, hi = x->max() * per;
    o << "| core-to-core round trip, ns (median; min–max of " << x->ms.size()
      << " repetitions) | – | " << fmt("%.0f", x->median() * per) << " (" << fmt("%.0f", lo) << "–"
      << fmt("%.0f", hi) << ") |\n";
  }
  o << "\n";
  (void)rf;
}

std::string gflops(const Run* x, const Roofline& rf) {
  if (!x) return "–";
  const double g = 2.0 * x->counter("macs") / (x->median() * 1e-3) / 1e9;
  std::string s = fmt("%.0f", g);
  const double peak = (is_int8(x->impl) ? rf.int8 : rf.fp32) * x->threads;
  if (peak > 0) s += fmt(" (%.0f%%)", 100.0 * g / peak);
  return s;
}

std::vector<std::pair<std::string, std::string>> Results::pairs(const std::string& op) const {
  std::vector<std::pair<std::string, std::string>> out;
  const auto all = impls(op);
  for (const auto& t : all) {
    const ops::Role rt = role(t);
    if (rt == ops::Role::kReference || rt == ops::Role::kBaseline) continue;
    for (const auto& b : all)
      if (role(b) == ops::Role::kBaseline && (is_int8(t) || !is_int8(b))) out.push_back({t, b});
  }
  return out;
}

json context_roles(const json& ctx) {
  if (!ctx.contains("tnn_roles")) return json::object();
  const json& r = ctx["tnn_roles"];
  return r.is_string() ? json::parse(r.get<std::string>(), nullptr, false) : r;
}

std::string ctx_string(const json& ctx, const char* key) {
  if (!ctx.contains(key)) return "";
  const json& v = ctx[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

void section_context(std::ostringstream& o, const json& ctx) {
  o << "# Kernels vs their baselines — " << ctx.value("tnn_machine", std::string("?")) << "\n\n";
  o << "| | |\n|---|---|\n";
  for (const auto& [k, label] : std::vector<std::pair<std::string, std::string>>{
           {"tnn_cpu", "CPU"},
           {"num_cpus", "logical CPUs"},
           {"tnn_isa", "kernel ISA"},
           {"tnn_onednn", "oneDNN"},
           {"tnn_commit", "commit"},
           {"date", "date"},
           {"tnn_threads", "threads"},
           {"tnn_load_average", "load average"},
           {"tnn_busy_processes", "other busy processes"},
           {"tnn_note", "note"}}) {  // tnn_note: added by hand to a run, e.g. cut short
    const std::string v = ctx_string(ctx, k.c_str());
    if (!v.empty()) o << "| " << label << " | " << v << " |\n";
  }
  o << "\nTimes are medians over the repetitions of one run, in ms. A speed-up is "
       "baseline time / ternary time at the same thread count in the same run (> 1: ternary "
       "is faster). FLOP counts are dense-equivalent (2 x every MAC, zeros included). Columns "
       "are the registered implementations the run holds (docs/kernels.md).\n\n";
}

// A target's run and its baseline's (targets written before the registry name baselines by
// legacy variants; normalized like the runs).
std::pair<const Run*, const Run*> target_runs(const Results& r, const json& g, int th) {
  std::string impl = g.value("impl", ""), shape = g.value("shape", "");
  std::string bimpl = g.value("baseline_impl", ""), bshape = g.value("baseline_shape", shape);
  normalize_legacy(impl, shape);
  normalize_legacy(bimpl, bshape);
  return {r.find(g.value("op", ""), impl, shape, th), r.find(g.value("op", ""), bimpl, bshape, th)};
}

json targets_of(const json& ctx) {
  if (!ctx.contains("tnn_targets")) return json::array();
  const json t = json::parse(ctx["tnn_targets"].get<std::string>(), nullptr, false);
  return t.is_array() ? t : json::array();
}

void section_targets(std::ostringstream& o, const Results& r, const json& ctx) {
  const json t = targets_of(ctx);
  if (t.empty()) return;
  o << "## Targets\n\nSpeed-up of medians; in brackets, of the best (minimum) times.\n\n"
       "| target | needed | 1 thread | 2 threads | status (medians) |\n|---|---|---|---|---|\n";
  for (const json& g : t) {
    const double need = g.value("min_speedup", 0.0);
    std::string cells;
    int met = 0, measured = 0;
    for (int th : {1, 2}) {
      const auto [a, b] = target_runs(r, g, th);
      cells += " " + speedup(a, b) +
               (a && b ? " [" + fmt("%.2f×", b->min() / a->min()) + "]" : std::string()) + " |";
      if (a && b) {
        ++measured;
        met += b->median() / a->median() >= need;
      }
    }
    const std::string status = measured == 0     ? "not measured"
                               : met == measured ? "met"
                               : met == 0        ? "missed"
                                                 : "met at " + std::to_string(met) + " of " +
                                                std::to_string(measured) + " thread counts";
    o << "| " << g.value("label", "?") << " | ≥ " << fmt("%.1f×", need) << " |" << cells << " "
      << status << " |\n";
  }
  o << "\n";
}

// Header cells: every implementation's time, then every (ternary vs baseline) speed-up.
std::string header(const std::vector<std::string>& impls,
                   const std::vector<std::pair<std::string, std::string>>& pairs,
                   const std::vector<std::string>& lead, const std::vector<std::string>& extra) {
  std::string h = "|", rule = "|";
  for (const auto& c : lead) h += " " + c + " |", rule += "---|";
  for (const auto& i : impls) h += " " + i + " |", rule += "---|";
  for (const auto& [t, b] : pairs) h += " " + t + " vs " + b + " |", rule += "---|";
  for (const auto& c : extra) h += " " + c + " |", rule += "---|";
  return h + "\n" + rule + "\n";
}

void cells(std::ostringstream& o, const Results& r, const std::string& op, const std::string& shape,
           int th, const std::vector<std::string>& impls,
           const std::vector<std::pair<std::string, std::string>>& pairs) {
  for (const auto& i : impls) o << " " << ms(r.find(op, i, shape, th)) << " |";
  for (const auto& [t, b] : pairs)
    o << " " << speedup(r.find(op, t, shape, th), r.find(op, b, shape, th)) << " |";
}

void section_gemv(std::ostringstream& o, const Results& r, const Roofline& rf) {
  if (!r.any("gemv")) return;
  const auto impls = r.impls("gemv");
  const auto pairs = r.pairs("gemv");
  o << "## GEMV (y = W x, ternary W with the run's zero fraction; cold = weights rotated over "
       "> 256 MiB of copies)\n\n"
    << header(impls, pairs, {"shape", "weights", "thr"}, {});
  for (const auto& [shape, th] : r.cases("gemv")) {
    const auto parts = split(shape, '/');
    o << "| " << parts[0] << " | " << (parts.size() > 1 ? parts[1] : "") << " | " << th << " |";
    cells(o, r, "gemv", shape, th, impls, pairs);
    o << "\n";
  }
  if (!rf.known()) return;
  o << "\n### GEMV against the roofline\n\nFloor = max(weight bytes / bandwidth, compute at "
       "peak): DRAM bandwidth for cold weights and for anything over 16 MiB, L3 otherwise; FP32 "
       "paths at the FMA rate (a ternary FP32 kernel has no cheaper op per MAC), int8 at the "
       "VNNI rate.\n\n| shape | weights | thr | impl | ms | weight GB/s | floor ms | bound | "
       "% of roofline |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& [shape, th] : r.cases("gemv")) {
    const auto parts = split(shape, '/');
    for (const auto& impl : impls) {
      const Run* x = r.find("gemv", impl, shape, th);
      if (!x || r.role(impl) == ops::Role::kReference) continue;
      const double bytes = x->counter("weight_bytes");
      const bool dram = (parts.size() > 1 && parts[1] == "cold") || bytes > 16.0 * 1024 * 1024;
      const double bw = dram ? rf.dram_gbps(th) : rf.l3 * th;
      const double mem_ms = bw > 0 ? bytes / (bw * 1e9) * 1e3 : 0;
      const double cmp_ms = compute_floor_ms(*x, rf);
      const double floor = std::max(mem_ms, cmp_ms);
      const std::string bound =
          mem_ms >= cmp_ms ? (dram ? "DRAM" : "L3") : (is_int8(impl) ? "VNNI" : "FMA");
      o << "| " << parts[0] << " | " << (parts.size() > 1 ? parts[1] : "") << " | " << th << " | "
        << impl << " | " << ms(x) << " | " << fmt("%.1f", bytes / (x->median() * 1e-3) / 1e9)
        << " | " << fmt("%.3f", floor) << " | " << bound << " | "
        << fmt("%.0f%%", 100.0 * floor / x->median()) << " |\n";
    }
  }
  o << "\n";
}

void section_stack(std::ostringstream& o, const Results& r, const Roofline& rf) {
  if (!r.any("stack")) return;
  const auto impls = r.impls("stack");
  const auto pairs = r.pairs("stack");
  std::vector<std::string> rates;
  for (const auto& i : impls)
    rates.push_back(i + (is_int8(i) ? " GOP/s" : " GFLOP/s") + " (% peak)");
  o << "## Conv stacks (a network's convs back to back, ReLU fused, BN folded: ResNet-20's 19; "
       "ResNet-18's 16 of the main path, without the stem and the 1x1 projections)\n\n"
    << header(impls, pairs, {"stack", "thr"}, rates);
  for (const auto& [shape, th] : r.cases("stack")) {
    o << "| " << shape << " | " << th << " |";
    cells(o, r, "stack", shape, th, impls, pairs);
    for (const auto& i : impls) o << " " << gflops(r.find("stack", i, shape, th), rf) << " |";
    o << "\n";
  }
  o << "\n";
}

void section_engine(std::ostringstream& o, const Results& r) {
  if (!r.any("engine")) return;
  const auto impls = r.impls("engine");
  const auto pairs = r.pairs("engine");
  o << "## Whole-model forward through the packed-model engine\n\n"
       "auto / auto_s8: every layer autotuned among the registered implementations (ternary "
       "kernels and oneDNN) at this batch and thread count; the label names the plan kept.\n\n"
    << header(impls, pairs, {"model", "thr"}, {"images/s (fastest)"});
  for (const auto& [shape, th] : r.cases("engine")) {
    o << "| " << shape << " | " << th << " |";
    cells(o, r, "engine", shape, th, impls, pairs);
    const Run* best = nullptr;
    for (const auto& i : impls) {
      const Run* x = r.find("engine", i, shape, th);
      if (x && r.role(i) != ops::Role::kReference && (!best || x->median() < best->median()))
        best = x;
    }
    o << " "
      << (best ? fmt("%.0f", best->counter("batch") / (best->median() * 1e-3)) + " (" + best->impl +
                     ")"
               : std::string("–"))
      << " |\n";
  }
  o << "\n";
}

void section_layers(std::ostringstream& o, const Results& r) {
  if (!r.any("conv")) return;
  const auto impls = r.impls("conv");
  const auto pairs = r.pairs("conv");
  std::string model;
  for (const auto& [shape, th] : r.cases("conv")) {
    const auto parts = split(shape, '/');
    const std::string m = parts[0].substr(0, parts[0].find('.'));
    if (m != model) {
      if (!model.empty()) o << "\n";
      model = m;
      o << "## " << model << " conv layers (ternary weights, ReLU fused)\n\n"
        << header(impls, pairs, {"layer", "shape", "thr"}, {});
    }
    o << "| " << parts[0].substr(std::min(parts[0].size(), model.size() + 1)) << " | "
      << (parts.size() > 1 ? parts[1] : "") << " | " << th << " |";
    cells(o, r, "conv", shape, th, impls, pairs);
    o << "\n";
  }
  o << "\n";
}

}  // namespace

nlohmann::json parse_benchmark_json(const std::string& text) {
  // Outside strings, replace the tokens NaN, nan, inf, Infinity (any sign) by null.
  std::string clean;
  clean.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      clean += c;
      if (c == '\\' && i + 1 < text.size())
        clean += text[++i];
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (const char* tok : {"-nan", "nan", "-NaN", "NaN", "-inf", "inf", "-Infinity", "Infinity"}) {
      const size_t n = std::char_traits<char>::length(tok);
      if (text.compare(i, n, tok) == 0) {
        clean += "null";
        i += n - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) clean += c;
  }
  return nlohmann::json::parse(clean);
}

std::string render_kernel_table(const nlohmann::json& run) {
  const json ctx = run.is_object() ? run.value("context", json::object()) : json::object();
  const Results r(run, context_roles(ctx));
  const Roofline rf = roofline(ctx, r);
  std::ostringstream o;
  section_context(o, ctx);
  section_targets(o, r, ctx);
  section_peaks(o, r, rf);
  section_gemv(o, r, rf);
  section_stack(o, r, rf);
  section_engine(o, r);
  section_layers(o, r);
  if (!rf.known())
    o << "_No roofline figures for this machine in experiments/kernels/rooflines.json: % of "
         "roofline left out._\n";
  return o.str();
}

// ---------------------------------------------------------------- across machines

namespace {

struct Machine {
  std::string slug;
  json ctx;
  std::unique_ptr<Results> results;
  bool device = false;  // a GPU run (no thread counts)
};

}  // namespace

std::string render_across_machines(const std::vector<nlohmann::json>& runs,
                                   const nlohmann::json& headline) {
  std::vector<Machine> machines;
  for (const json& run : runs) {
    Machine m;
    m.ctx = run.is_object() ? run.value("context", json::object()) : json::object();
    m.results = std::make_unique<Results>(run, context_roles(m.ctx));
    m.device = m.ctx.contains("gpu");
    m.slug = m.ctx.value("tnn_machine", std::string());
    if (m.slug.empty() && m.device) m.slug = m.ctx["gpu"].value("slug", std::string("gpu"));
    if (m.slug.empty()) m.slug = "?";
    machines.push_back(std::move(m));
  }
  std::sort(machines.begin(), machines.end(),
            [](const Machine& a, const Machine& b) { return a.slug < b.slug; });
  std::ostringstream o;
  o << "# Kernels across machines\n\nOne column per machine and thread count (GPU runs: one "
       "column). Every cell is a speed-up measured within one run of that machine (baseline "
       "median / ternary median, same thread count), so the machines never mix in one ratio. "
       "Rendered by `tnn table --across` from results/kernels/*.json.\n\n"
       "| machine | CPU / GPU | commit | date | load average | kernel ISA | oneDNN |\n"
       "|---|---|---|---|---|---|---|\n";
  for (const auto& m : machines) {
    std::string dev = ctx_string(m.ctx, "tnn_cpu");
    if (m.device) dev = m.ctx["gpu"].value("name", std::string("GPU"));
    std::string load = ctx_string(m.ctx, "tnn_load_average");
    if (load.empty() && m.ctx.contains("load_avg")) load = m.ctx["load_avg"].dump();
    o << "| " << m.slug << " | " << dev << " | " << ctx_string(m.ctx, "tnn_commit") << " | "
      << ctx_string(m.ctx, "date") << " | " << load << " | " << ctx_string(m.ctx, "tnn_isa")
      << " | " << ctx_string(m.ctx, "tnn_onednn") << " |\n";
  }
  // Columns: machine x thread count.
  struct Col {
    const Machine* m;
    int threads;
  };
  std::vector<Col> cols;
  for (const auto& m : machines) {
    if (m.device) {
      cols.push_back({&m, 1});
      continue;
    }
    for (int th : {1, 2}) cols.push_back({&m, th});
  }
  auto col_header = [&] {
    std::string h = "|", rule = "|";
    for (const auto& c : cols) {
      h += " " + c.m->slug + (c.m->device ? "" : " " + std::to_string(c.threads) + "t") + " |";
      rule += "---|";
    }
    return std::make_pair(h, rule);
  };
  // 1. The targets (union over the runs' contexts, by label).
  std::vector<json> targets;
  std::set<std::string> labels;
  for (const auto& m : machines)
    for (const json& g : targets_of(m.ctx))
      if (labels.insert(g.value("label", "")).second) targets.push_back(g);
  const auto [h, rule] = col_header();
  if (!targets.empty()) {
    o << "\n## Targets\n\n| target | needed " << h << "\n|---|---" << rule << "\n";
    for (const json& g : targets) {
      o << "| " << g.value("label", "?") << " | ≥ " << fmt("%.1f×", g.value("min_speedup", 0.0))
        << " |";
      for (const auto& c : cols) {
        const auto [a, b] = target_runs(*c.m->results, g, c.threads);
        o << " " << speedup(a, b) << " |";
      }
      o << "\n";
    }
  }
  // 2. Headline shapes: every (ternary vs baseline) pair any machine measured there.
  if (headline.is_array() && !headline.empty()) {
    o << "\n## Speed-ups on the headline shapes\n\n| suite | shape | comparison " << h
      << "\n|---|---|---" << rule << "\n";
    for (const json& row : headline) {
      const std::string op = row.value("op", ""), shape = row.value("shape", "");
      std::vector<std::pair<std::string, std::string>> pairs;
      for (const auto& m : machines)
        for (const auto& p : m.results->pairs(op))
          if (std::find(pairs.begin(), pairs.end(), p) == pairs.end()) pairs.push_back(p);
      for (const auto& [t, b] : pairs) {
        bool any = false;
        std::string line = "| " + op + " | " + shape + " | " + t + " vs " + b + " |";
        for (const auto& c : cols) {
          const Run* x = c.m->results->find(op, t, shape, c.threads);
          const Run* y = c.m->results->find(op, b, shape, c.threads);
          any |= x && y;
          line += " " + speedup(x, y) + " |";
        }
        if (any) o << line << "\n";
      }
    }
  }
  o << "\n";
  return o.str();
}

}  // namespace tnn::kernels
