// Markdown report of a tnn_kernel_bench run (see bench_table.hpp).
#include "tnn/kernels/bench_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace tnn::kernels {

namespace {

using json = nlohmann::json;

struct Run {
  std::string op, impl, shape;
  int threads = 1;
  std::vector<double> ms;  // one per repetition
  json counters = json::object();
  std::string label;

  double median() const {
    std::vector<double> v = ms;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  }
  double min() const { return *std::min_element(ms.begin(), ms.end()); }
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

class Results {
 public:
  explicit Results(const json& doc) {
    if (!doc.is_object() || !doc.contains("benchmarks") || !doc["benchmarks"].is_array())
      throw std::invalid_argument("not a Google Benchmark JSON document (no \"benchmarks\")");
    for (const json& b : doc["benchmarks"]) {
      if (b.value("run_type", "iteration") != "iteration") continue;
      if (b.contains("error_occurred") && b["error_occurred"].get<bool>()) continue;
      std::vector<std::string> parts;
      for (const auto& p : split(b.value("run_name", b.value("name", "")), '/'))
        if (p.find(':') == std::string::npos && p != "real_time") parts.push_back(p);
      if (parts.size() < 4 || parts[0].rfind("BM_", 0) != 0 || parts.back().size() < 2 ||
          parts.back()[0] != 't')
        continue;
      std::string shape = parts[2];
      for (size_t i = 3; i + 1 < parts.size(); ++i) shape += "/" + parts[i];
      const std::string key = parts[0] + "/" + parts[1] + "/" + shape + "/" + parts.back();
      Run& r = runs_[key];
      r.op = parts[0].substr(3);
      r.impl = parts[1];
      r.shape = shape;
      r.threads = std::stoi(parts.back().substr(1));
      r.ms.push_back(to_ms(b.value("real_time", 0.0), b.value("time_unit", "ns")));
      r.label = b.value("label", "");
      for (const char* k : {"macs", "weight_bytes", "batch", "zero_fraction", "copies", "layers"})
        if (b.contains(k)) r.counters[k] = b[k];
      order_.push_back(key);
    }
  }
  const Run* find(const std::string& op, const std::string& impl, const std::string& shape,
                  int threads) const {
    auto it = runs_.find("BM_" + op + "/" + impl + "/" + shape + "/t" + std::to_string(threads));
    return it == runs_.end() ? nullptr : &it->second;
  }
  // Distinct (shape, threads) of an op in first-seen order.
  std::vector<std::pair<std::string, int>> cases(const std::string& op) const {
    std::vector<std::pair<std::string, int>> out;
    std::set<std::pair<std::string, int>> seen;
    for (const auto& key : order_) {
      const Run& r = runs_.at(key);
      if (r.op != op) continue;
      if (seen.insert({r.shape, r.threads}).second) out.push_back({r.shape, r.threads});
    }
    return out;
  }
  bool any(const std::string& op) const { return !cases(op).empty(); }

 private:
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
  bool known() const { return fp32 > 0; }
  double dram_gbps(int threads) const {
    auto it = dram.find(threads);
    if (it != dram.end()) return it->second;
    return dram.empty() ? 0 : dram.rbegin()->second;
  }
};

Roofline roofline(const json& ctx) {
  Roofline r;
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

bool is_int8(const std::string& impl) {
  return impl.find("s8") != std::string::npos;
}

// Compute floor in ms at the machine's peak (FMA rate for FP32 paths, VNNI for int8).
double compute_floor_ms(const Run& r, const Roofline& rf) {
  const double peak = (is_int8(r.impl) ? rf.int8 : rf.fp32) * r.threads * 1e9;
  return peak > 0 ? 2.0 * r.counter("macs") * r.counter("batch") / peak * 1e3 : 0;
}

void section_context(std::ostringstream& o, const json& ctx) {
  o << "# CPU ternary kernels vs oneDNN — " << ctx.value("tnn_machine", std::string("?")) << "\n\n";
  o << "| | |\n|---|---|\n";
  for (const auto& [k, label] :
       std::vector<std::pair<std::string, std::string>>{{"tnn_cpu", "CPU"},
                                                        {"num_cpus", "logical CPUs"},
                                                        {"tnn_isa", "kernel ISA"},
                                                        {"tnn_onednn", "oneDNN"},
                                                        {"tnn_commit", "commit"},
                                                        {"date", "date"},
                                                        {"tnn_threads", "threads"}}) {
    if (!ctx.contains(k)) continue;
    const json& v = ctx[k];
    o << "| " << label << " | " << (v.is_string() ? v.get<std::string>() : v.dump()) << " |\n";
  }
  o << "\nTimes are medians over the repetitions of one run, in ms. A speed-up is "
       "baseline time / ternary time at the same thread count in the same run (> 1: ternary "
       "is faster). FLOP counts are dense-equivalent (2 x every MAC, zeros included).\n\n";
}

void section_targets(std::ostringstream& o, const Results& r, const json& ctx) {
  if (!ctx.contains("tnn_targets")) return;
  const json t = json::parse(ctx["tnn_targets"].get<std::string>(), nullptr, false);
  if (!t.is_array() || t.empty()) return;
  o << "## Targets\n\nSpeed-up of medians; in brackets, of the best (minimum) times.\n\n"
       "| target | needed | 1 thread | 2 threads | status (medians) |\n|---|---|---|---|---|\n";
  for (const json& g : t) {
    const double need = g.value("min_speedup", 0.0);
    std::string cells;
    int met = 0, measured = 0;
    for (int th : {1, 2}) {
      const Run* a = r.find(g.value("op", ""), g.value("impl", ""), g.value("shape", ""), th);
      const Run* b = r.find(g.value("op", ""), g.value("baseline_impl", ""),
                            g.value("baseline_shape", g.value("shape", "")), th);
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

void section_gemv(std::ostringstream& o, const Results& r, const Roofline& rf) {
  if (!r.any("gemv")) return;
  o << "## GEMV (y = W x, ternary W with "
    << "the run's zero fraction; cold = weights rotated over > 256 MiB of copies)\n\n"
    << "| shape | weights | thr | dense AVX-512 | oneDNN sgemv | oneDNN matmul | ternary_f32 | "
       "ternary_s8 | f32 vs sgemv | f32 vs matmul | f32 vs dense | s8 vs sgemv | s8 vs matmul "
       "| s8 vs dense |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  std::vector<std::pair<std::string, int>> rows;
  for (const auto& [shape, th] : r.cases("gemv"))
    if (std::count(shape.begin(), shape.end(), '/') == 1) rows.push_back({shape, th});
  for (const auto& [shape, th] : rows) {
    const auto parts = split(shape, '/');
    const Run* dense = r.find("gemv", "dense_f32_avx512", shape, th);
    const Run* sgemv = r.find("gemv", "onednn_f32", shape + "/sgemv", th);
    const Run* mm = r.find("gemv", "onednn_f32", shape + "/matmul", th);
    const Run* f32 = r.find("gemv", "ternary_f32", shape, th);
    const Run* s8 = r.find("gemv", "ternary_s8", shape, th);
    o << "| " << parts[0] << " | " << parts[1] << " | " << th << " | " << ms(dense) << " | "
      << ms(sgemv) << " | " << ms(mm) << " | " << ms(f32) << " | " << ms(s8) << " | "
      << speedup(f32, sgemv) << " | " << speedup(f32, mm) << " | " << speedup(f32, dense) << " | "
      << speedup(s8, sgemv) << " | " << speedup(s8, mm) << " | " << speedup(s8, dense) << " |\n";
  }
  if (!rf.known()) return;
  o << "\n### GEMV against the roofline\n\nFloor = max(weight bytes / bandwidth, compute at "
       "peak): DRAM bandwidth for cold weights and for anything over 16 MiB, L3 otherwise; FP32 "
       "paths at the FMA rate (a ternary FP32 kernel has no cheaper op per MAC), int8 at the "
       "VNNI rate.\n\n| shape | weights | thr | impl | ms | weight GB/s | floor ms | bound | "
       "% of roofline |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& [shape, th] : rows) {
    const auto parts = split(shape, '/');
    for (const auto& [impl, variant] :
         std::vector<std::pair<std::string, std::string>>{{"dense_f32_avx512", ""},
                                                          {"onednn_f32", "/sgemv"},
                                                          {"onednn_f32", "/matmul"},
                                                          {"ternary_f32", ""},
                                                          {"ternary_s8", ""}}) {
      const Run* x = r.find("gemv", impl, shape + variant, th);
      if (!x) continue;
      const double bytes = x->counter("weight_bytes");
      const bool dram = parts[1] == "cold" || bytes > 16.0 * 1024 * 1024;
      const double bw = dram ? rf.dram_gbps(th) : rf.l3 * th;
      const double mem_ms = bw > 0 ? bytes / (bw * 1e9) * 1e3 : 0;
      const double cmp_ms = compute_floor_ms(*x, rf);
      const double floor = std::max(mem_ms, cmp_ms);
      const std::string bound =
          mem_ms >= cmp_ms ? (dram ? "DRAM" : "L3") : (is_int8(impl) ? "VNNI" : "FMA");
      o << "| " << parts[0] << " | " << parts[1] << " | " << th << " | " << impl << variant << " | "
        << ms(x) << " | " << fmt("%.1f", bytes / (x->median() * 1e-3) / 1e9) << " | "
        << fmt("%.3f", floor) << " | " << bound << " | "
        << fmt("%.0f%%", 100.0 * floor / x->median()) << " |\n";
    }
  }
  o << "\n";
}

std::string gflops(const Run* x, const Roofline& rf) {
  if (!x) return "–";
  const double g = 2.0 * x->counter("macs") / (x->median() * 1e-3) / 1e9;
  std::string s = fmt("%.0f", g);
  const double peak = (is_int8(x->impl) ? rf.int8 : rf.fp32) * x->threads;
  if (peak > 0) s += fmt(" (%.0f%%)", 100.0 * g / peak);
  return s;
}

void section_stack(std::ostringstream& o, const Results& r, const Roofline& rf) {
  if (!r.any("stack")) return;
  o << "## ResNet-20 conv stack (19 convs back to back, ReLU fused, BN folded)\n\n"
    << "| stack | thr | oneDNN f32 | oneDNN s8 | ternary_f32 | ternary_s8 | f32 vs oneDNN f32 | "
       "s8 vs oneDNN f32 | s8 vs oneDNN s8 | GFLOP/s (% of FP32 peak): oneDNN f32 / ternary_f32 | "
       "GOP/s (% of int8 peak): oneDNN s8 / ternary_s8 "
       "|\n|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& [shape, th] : r.cases("stack")) {
    const Run* of = r.find("stack", "onednn_f32", shape, th);
    const Run* os = r.find("stack", "onednn_s8", shape, th);
    const Run* tf = r.find("stack", "ternary_f32", shape, th);
    const Run* ts = r.find("stack", "ternary_s8", shape, th);
    o << "| " << shape << " | " << th << " | " << ms(of) << " | " << ms(os) << " | " << ms(tf)
      << " | " << ms(ts) << " | " << speedup(tf, of) << " | " << speedup(ts, of) << " | "
      << speedup(ts, os) << " | " << gflops(of, rf) << " / " << gflops(tf, rf) << " | "
      << gflops(os, rf) << " / " << gflops(ts, rf) << " |\n";
  }
  o << "\n";
}

void section_engine(std::ostringstream& o, const Results& r) {
  if (!r.any("engine")) return;
  o << "## Whole-model forward through the packed-model engine\n\n"
    << "| model | thr | ref | onednn_f32 | ternary_f32 | ternary_s8 | f32 vs oneDNN | s8 vs "
       "oneDNN | images/s (ternary_f32 / ternary_s8) |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& [shape, th] : r.cases("engine")) {
    const Run* rf = r.find("engine", "ref", shape, th);
    const Run* od = r.find("engine", "onednn_f32", shape, th);
    const Run* tf = r.find("engine", "ternary_f32", shape, th);
    const Run* ts = r.find("engine", "ternary_s8", shape, th);
    auto ips = [](const Run* x) {
      return x ? fmt("%.0f", x->counter("batch") / (x->median() * 1e-3)) : std::string("–");
    };
    o << "| " << shape << " | " << th << " | " << ms(rf) << " | " << ms(od) << " | " << ms(tf)
      << " | " << ms(ts) << " | " << speedup(tf, od) << " | " << speedup(ts, od) << " | " << ips(tf)
      << " / " << ips(ts) << " |\n";
  }
  o << "\n";
}

void section_layers(std::ostringstream& o, const Results& r, const Roofline& rf) {
  if (!r.any("conv")) return;
  std::string model;
  for (const auto& [shape, th] : r.cases("conv")) {
    const auto parts = split(shape, '/');
    const std::string m = parts[0].substr(0, parts[0].find('.'));
    if (m != model) {
      if (!model.empty()) o << "\n";
      model = m;
      o << "## " << model << " conv layers (ternary weights, ReLU fused)\n\n"
        << "| layer | shape | thr | ref | oneDNN f32 | oneDNN s8 | ternary_f32 | ternary_s8 | f32 "
           "vs oneDNN f32 | s8 vs oneDNN f32 | s8 vs oneDNN s8 | ternary_f32 GFLOP/s (% peak) "
           "|\n|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    }
    const Run* rr = r.find("conv", "ref", shape, th);
    const Run* of = r.find("conv", "onednn_f32", shape, th);
    const Run* os = r.find("conv", "onednn_s8", shape, th);
    const Run* tf = r.find("conv", "ternary_f32", shape, th);
    const Run* ts = r.find("conv", "ternary_s8", shape, th);
    o << "| " << parts[0].substr(model.size() + 1) << " | " << (parts.size() > 1 ? parts[1] : "")
      << " | " << th << " | " << ms(rr) << " | " << ms(of) << " | " << ms(os) << " | " << ms(tf)
      << " | " << ms(ts) << " | " << speedup(tf, of) << " | " << speedup(ts, of) << " | "
      << speedup(ts, os) << " | " << gflops(tf, rf) << " |\n";
    (void)rf;
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
  const Results r(run);
  const json ctx = run.value("context", json::object());
  const Roofline rf = roofline(ctx);
  std::ostringstream o;
  section_context(o, ctx);
  section_targets(o, r, ctx);
  section_gemv(o, r, rf);
  section_stack(o, r, rf);
  section_engine(o, r);
  section_layers(o, r, rf);
  if (!rf.known())
    o << "_No roofline figures for this machine in experiments/kernels/rooflines.json: % of "
         "roofline left out._\n";
  return o.str();
}

}  // namespace tnn::kernels
