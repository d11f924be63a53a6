#include "bench_results.hpp"

#include <cstdio>
#include <set>
#include <stdexcept>

namespace tnn::kernels::bench_report {

namespace {

double to_ms(double v, const std::string& unit) {
  if (unit == "ns") return v * 1e-6;
  if (unit == "us") return v * 1e-3;
  if (unit == "s") return v * 1e3;
  return v;
}

// Role of an implementation name: the run's own "tnn_roles" context (e.g. GPU baselines), then
// the registry's, else ternary.
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

}  // namespace

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

// The legacy names: onednn_f32 .../sgemv and .../matmul, and dense_f32_avx512.
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

Results::Results(const json& doc, const json& roles) : roles_(roles) {
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

ops::Role Results::role(const std::string& impl) const {
  return role_of(impl, roles_);
}

std::vector<std::string> Results::impls(const std::string& op) const {
  std::vector<std::string> out;
  for (const auto& [key, r] : runs_)
    if (r.op == op && std::find(out.begin(), out.end(), r.impl) == out.end()) out.push_back(r.impl);
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

bool is_int8(const std::string& impl) {
  for (const ops::Impl& i : ops::registry())
    if (i.name == impl) return i.op == ops::Op::kGemmW2A8 || i.op == ops::Op::kConvW2A8;
  return impl.find("s8") != std::string::npos;
}

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

std::string speedup(const Run* fast, const Run* base) {
  if (!fast || !base) return "–";
  return fmt("%.2f×", base->median() / fast->median());
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

}  // namespace tnn::kernels::bench_report
