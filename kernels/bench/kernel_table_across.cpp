// `tnn table --across`: one column per machine and thread count, every cell a ratio measured
// within one machine's run.
#include "bench_results.hpp"
#include "tnn/kernels/bench_table.hpp"

#include <memory>
#include <set>
#include <sstream>

namespace tnn::kernels {

namespace {

using namespace bench_report;

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
