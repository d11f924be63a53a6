// Markdown reports of tnn_kernel_bench runs (see bench_table.hpp). Columns are the
// implementations a run holds, ordered and paired by their role in the operation registry
// (reference, baselines, ternary kernels): every ternary kernel gets a speed-up column against
// every baseline of its suite, so a new implementation shows up without touching this file.
#include "tnn/kernels/bench_table.hpp"

#include "bench_results.hpp"
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

using namespace bench_report;

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

}  // namespace tnn::kernels
