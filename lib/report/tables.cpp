// Rendering of paper tables next to measured results. Every cell says where it comes from; a
// row without a measurement says why (not run in this profile, in progress, ImageNet missing...).
#include "tnn/report.hpp"

#include "report_text.hpp"
#include "tnn/check.hpp"
#include "tnn/fileio.hpp"
#include "tnn/pack.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace tnn {
namespace fs = std::filesystem;
using report::fmt;
using report::signed_fmt;

namespace {

const nlohmann::json& table_schema() {
  static const nlohmann::json s = R"({
    "id": "", "title": "", "paper": "", "columns": [], "notes": [], "rows": []
  })"_json;
  return s;
}
const nlohmann::json& row_schema() {
  static const nlohmann::json s = R"({
    "label": "", "experiment": "", "baseline": "", "paper": {}, "paper_baseline": {},
    "provenance": "", "not_run": "", "reference": false, "conflicts": [], "compression": ""
  })"_json;
  return s;
}

void check_fields(const nlohmann::json& j, const nlohmann::json& schema, const std::string& where) {
  if (!j.is_object()) throw std::invalid_argument(where + ": expected an object");
  for (const auto& [k, v] : j.items()) {
    if (!schema.contains(k)) throw std::invalid_argument(where + "." + k + ": unknown field");
    const auto& d = schema[k];
    bool ok = v.is_null() || (d.is_number() && v.is_number()) || v.type() == d.type();
    if (!ok)
      throw std::invalid_argument(where + "." + k + ": expected a " + d.type_name() + ", got " +
                                  v.dump());
  }
}

std::string cell_escape(std::string s) {
  for (auto& c : s)
    if (c == '|') c = '/';
  return s;
}
std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}

// Measured values of an experiment in the first preferred profile that has finished runs.
struct Measured {
  std::string profile;
  std::vector<nlohmann::json> results;
  std::string pending;  // why there is nothing (empty when results exist)
  std::string
      progress;  // runs of preferred profiles still in progress (e.g. paper while quick shows)
};

Measured measure(const std::string& id, const RenderOptions& o) {
  Measured m;
  if (!fs::exists(fs::path(o.experiments_root) / (id + ".json"))) {
    m.pending = "not run: no experiment file " + id;
    return m;
  }
  std::string progress;
  for (const auto& p : o.profiles) {
    RunSummary s = summarize_runs(o.runs_root, id, p);
    if (!s.finished.empty()) {
      m.profile = p;
      m.results = s.finished;
      // Seeds of the shown profile still training are named, so n is never mistaken for final.
      for (const auto& u : s.unfinished)
        progress += (progress.empty() ? "" : "; ") + std::string("seed ") +
                    std::to_string(u.value("seed", 0)) + " " + u.value("status", std::string("?")) +
                    " (epoch " + std::to_string(u.value("epochs_done", 0)) + "/" +
                    std::to_string(u.value("epochs", 0)) + ", not counted)";
      m.progress = progress;
      return m;
    }
    for (const auto& u : s.unfinished) {
      std::string st = u.value("status", "?");
      if (st == "running" || st == "interrupted")
        progress += (progress.empty() ? "" : "; ") + p + " profile in progress (epoch " +
                    std::to_string(u.value("epochs_done", 0)) + "/" +
                    std::to_string(u.value("epochs", 0)) + ", not a result yet)";
      else
        progress += (progress.empty() ? "" : "; ") + p + " profile: " + st;
    }
  }
  std::string profiles;
  for (const auto& p : o.profiles) profiles += (profiles.empty() ? "" : ", ") + p;
  m.pending = "not run in profile " + profiles + (progress.empty() ? "" : " -- " + progress);
  return m;
}

}  // namespace

TableSpec load_table(const std::string& path) {
  TableSpec t;
  t.file = path;
  try {
    t.spec = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(path + ": invalid JSON: " + e.what());
  }
  check_fields(t.spec, table_schema(), path + ": ");
  for (const char* k : {"id", "title", "columns", "rows"})
    if (!t.spec.contains(k))
      throw std::invalid_argument(path + ": " + k + ": required field missing");
  t.id = t.spec["id"];
  if (fs::path(path).stem().string() != t.id)
    throw std::invalid_argument(path + ": id: '" + t.id + "' does not match the file name");
  for (const auto& c : t.spec["columns"])
    if (c != "top1" && c != "top5")
      throw std::invalid_argument(path + ": columns: expected top1 / top5, got " + c.dump());
  int i = 0;
  for (const auto& r : t.spec["rows"]) {
    std::string where = path + ": rows[" + std::to_string(i++) + "]";
    check_fields(r, row_schema(), where);
    if (!r.contains("label")) throw std::invalid_argument(where + ".label: required field missing");
    if (r.contains("paper") && !r.contains("provenance"))
      throw std::invalid_argument(where + ".provenance: every paper value needs its provenance");
    bool has_exp = r.contains("experiment") && !r["experiment"].is_null();
    bool reference = r.value("reference", false);
    if (!has_exp && !reference && !r.contains("not_run"))
      throw std::invalid_argument(where +
                                  ": a row without an experiment must be a reference row or say "
                                  "why it is not run (not_run)");
  }
  return t;
}

std::vector<TableSpec> load_tables(const std::string& dir, const std::vector<std::string>& only) {
  std::vector<TableSpec> out;
  std::set<std::string> wanted(only.begin(), only.end());
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    if (!wanted.empty() && !wanted.count(e.path().stem().string())) continue;
    out.push_back(load_table(e.path().string()));
    wanted.erase(out.back().id);
  }
  if (!only.empty() && !wanted.empty())
    throw std::invalid_argument("--tables: no table file for '" + *wanted.begin() + "' in " + dir);
  std::sort(out.begin(), out.end(),
            [](const TableSpec& a, const TableSpec& b) { return a.id < b.id; });
  return out;
}

std::vector<std::string> table_experiments(const TableSpec& t) {
  std::vector<std::string> ids;
  auto add = [&](const nlohmann::json& v) {
    if (v.is_string() && std::find(ids.begin(), ids.end(), v.get<std::string>()) == ids.end())
      ids.push_back(v);
  };
  for (const auto& r : t.spec["rows"]) {
    if (r.contains("experiment")) add(r["experiment"]);
    if (r.contains("baseline")) add(r["baseline"]);
  }
  return ids;
}

RunSummary summarize_runs(const std::string& runs_root, const std::string& id,
                          const std::string& profile) {
  RunSummary s;
  s.profile = profile;
  fs::path dir = fs::path(runs_root) / id / profile;
  if (!fs::exists(dir)) return s;
  std::vector<fs::path> seeds;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("seed", 0) == 0 &&
        e.path().filename().string().find(".old-") == std::string::npos)
      seeds.push_back(e.path());
  std::sort(seeds.begin(), seeds.end());
  for (const auto& sd : seeds) {
    fs::path rf = sd / "result.json";
    if (!fs::exists(rf)) continue;
    auto r = nlohmann::json::parse(read_file(rf.string()));
    (r.value("status", "") == "finished" ? s.finished : s.unfinished).push_back(r);
  }
  return s;
}

namespace {

// "-1.59 (seed 1)", "-1.40 [-1.59, -1.21], 3 seeds, 95 % CI ± 0.50": a paired difference with its
// spread, so a finding never rests on a single number without saying so.
std::string paired_cell(const std::vector<PairedDifference>& d) {
  std::vector<double> v;
  for (const auto& x : d) v.push_back(x.value);
  SeedStats s = seed_stats(v);
  if (s.n == 1) return signed_fmt(s.mean) + " (seed " + std::to_string(d[0].seed) + ")";
  std::string out = signed_fmt(s.mean) + " [" + signed_fmt(s.min) + ", " + signed_fmt(s.max) +
                    "], " + std::to_string(s.n) + " seeds";
  if (s.n >= 3) out += ", 95 % CI ± " + fmt(s.ci95);
  return out;
}

std::string mean_std(const SeedStats& s) {
  return fmt(s.mean) + (s.n > 1 ? " ± " + fmt(s.std) : "");
}

// One row of a paper table: what was measured for it and every cell as text ("—" when empty).
struct TableRow {
  std::string label, experiment, profile;
  int n = 0;                               // finished seeds shown
  std::map<std::string, SeedStats> stats;  // per column (top1 / top5), final epoch
  SeedStats best, last10, train, paired;   // train: top-1 on the training set, last epoch
  std::vector<PairedDifference> pairs;
  std::string dataset;  // label of the first run's dataset ("" when nothing measured)
  std::string note, paper = "—", measured = "—", best_cell = "—", last10_cell = "—",
                    train_cell = "—", n_cell = "—", minus_paper = "—", minus_fp = "—",
                    minus_fp_paper = "—", compression = "—", zeros = "—";
  std::vector<std::pair<int, std::vector<PhaseGap>>> phase_gaps;  // per paired seed (step lr)
};

// Fills the measured cells of `row` from the finished runs of experiment `m`.
void measure_row(TableRow& row, const nlohmann::json& r, const std::vector<std::string>& cols,
                 const Measured& m, const RenderOptions& o) {
  const bool has_paper_top1 = r.contains("paper") && r["paper"].contains("top1");
  std::string& note = row.note;
  row.profile = m.profile;
  row.n = int(m.results.size());
  row.measured.clear();
  for (const auto& c : cols) {
    std::vector<double> v;
    for (const auto& res : m.results) v.push_back(res.at("final").at(c).get<double>());
    row.stats[c] = seed_stats(v);
    if (!row.measured.empty()) row.measured += " / ";
    row.measured += mean_std(row.stats[c]);
  }
  std::vector<double> vb, vl, vt;
  for (const auto& res : m.results) {
    vb.push_back(best_epoch_top1(res));
    vl.push_back(last_epochs_mean_top1(res, 10));
    const auto& last = res.at("history").back();
    if (last.contains("train_top1")) vt.push_back(last["train_top1"].get<double>());
  }
  if (vt.size() == m.results.size()) {  // results without a training accuracy leave it empty
    row.train = seed_stats(vt);
    row.train_cell = mean_std(row.train);
  }
  row.best = seed_stats(vb);
  row.last10 = seed_stats(vl);
  std::string epochs_of_best;
  for (const auto& res : m.results)
    epochs_of_best +=
        (epochs_of_best.empty() ? "" : ", ") + std::to_string(res["best"].value("epoch", 0));
  row.best_cell = mean_std(row.best) + " (epoch " + epochs_of_best + ")";
  row.last10_cell = mean_std(row.last10);
  row.n_cell = std::to_string(row.n) + " seed" + (row.n > 1 ? "s" : "") + ", " + row.profile;
  const auto& first = m.results.front();
  row.dataset = first["dataset"].value("label", "unknown");
  if (first.contains("footprint"))
    row.compression = fmt(first["footprint"]["weight_compression"].get<double>(), 1) + "X";
  const auto z = mac_weighted_zeros(first, kernels::ZeroCount::kFirstTerm);
  if (z.is_number()) row.zeros = fmt(100.0 * z.get<double>(), 1) + " %";
  // Absolute differences to the paper mean something only at the paper's recipe.
  if (has_paper_top1)
    row.minus_paper = row.profile == "paper"
                          ? signed_fmt(row.stats["top1"].mean - r["paper"]["top1"].get<double>())
                          : "— (" + row.profile + " profile)";
  if (row.profile == "smoke")
    note = "smoke profile: plumbing check on " +
           std::to_string(first["dataset"].value("train_images", 0)) + " images of " +
           first["dataset"].value("label", std::string("?")) + ", not a result" +
           (note.empty() ? "" : "; " + note);
  else if (row.profile != "paper")
    note = "profile " + row.profile +
           " is a shortened schedule: compare deltas, not absolute values" +
           (note.empty() ? "" : "; " + note);
  if (!m.progress.empty()) note = m.progress + (note.empty() ? "" : "; " + note);
  if (!r.contains("baseline")) return;
  RunSummary b = summarize_runs(o.runs_root, r["baseline"], row.profile);
  row.pairs = paired_differences(m.results, b.finished, final_top1);
  for (const auto& res : m.results)
    for (const auto& base : b.finished)
      if (base.at("seed") == res.at("seed")) {
        auto g = gap_by_phase(res, base);
        if (!g.empty()) row.phase_gaps.emplace_back(res["seed"].get<int>(), std::move(g));
      }
  std::sort(row.phase_gaps.begin(), row.phase_gaps.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  if (!row.pairs.empty()) {
    std::vector<double> v;
    for (const auto& x : row.pairs) v.push_back(x.value);
    row.paired = seed_stats(v);
    row.minus_fp = paired_cell(row.pairs);
    if (int(row.pairs.size()) < row.n || int(row.pairs.size()) < int(b.finished.size()))
      note += std::string(note.empty() ? "" : "; ") + "difference over the " +
              std::to_string(row.pairs.size()) + " seed(s) both rows have";
  } else if (!b.finished.empty()) {
    std::vector<double> v;
    for (const auto& res : b.finished) v.push_back(final_top1(res));
    row.minus_fp =
        signed_fmt(row.stats["top1"].mean - seed_stats(v).mean) + " (unpaired: no common seed)";
  } else {
    row.minus_fp = "— (FP baseline not run in profile " + row.profile + ")";
  }
}

// A row spec `r` (see row_schema) with its paper values, conflicts and measurements.
TableRow table_row(const nlohmann::json& r, const std::vector<std::string>& cols,
                   const std::function<const Measured&(const std::string&)>& measured,
                   const RenderOptions& o) {
  TableRow row;
  row.label = r["label"];
  row.compression = r.value("compression", std::string("—"));
  const bool has_paper = r.contains("paper");
  if (has_paper) {
    row.paper.clear();
    for (const auto& c : cols) {
      if (!row.paper.empty()) row.paper += " / ";
      row.paper += r["paper"].contains(c) ? fmt(r["paper"][c].get<double>()) : std::string("?");
    }
  }
  std::string& note = row.note;
  if (r.contains("conflicts"))
    for (const auto& cf : r["conflicts"]) {
      std::string v;
      for (const auto& c : cols)
        if (cf["value"].contains(c))
          v += (v.empty() ? "" : " / ") + fmt(cf["value"][c].get<double>());
      note += (note.empty() ? "" : "; ") + std::string("conflicting value ") + v + " (" +
              cf["source"].get<std::string>() + ")";
    }
  row.experiment = r.contains("experiment") && r["experiment"].is_string()
                       ? r["experiment"].get<std::string>()
                       : "";
  if (r.value("reference", false)) {
    note = std::string("reference value from another paper (not reproduced here)") +
           (note.empty() ? "" : "; " + note);
  } else if (row.experiment.empty()) {
    note = "not run: " + r.value("not_run", std::string("no experiment")) +
           (note.empty() ? "" : "; " + note);
  } else {
    const Measured& m = measured(row.experiment);
    if (m.results.empty()) {
      // A row whose runs need data this machine lacks (ImageNet) says so until results exist.
      std::string why = r.contains("not_run") ? "not run here: " + r["not_run"].get<std::string>() +
                                                    " (" + m.pending + ")"
                                              : m.pending;
      note = why + (note.empty() ? "" : "; " + note);
    } else {
      measure_row(row, r, cols, m, o);
    }
  }
  if (r.contains("paper_baseline") && has_paper && r["paper"].contains("top1"))
    row.minus_fp_paper =
        signed_fmt(r["paper"]["top1"].get<double>() - r["paper_baseline"]["top1"].get<double>());
  return row;
}

std::string column_names(const std::vector<std::string>& cols) {
  std::string metric;
  for (const auto& c : cols)
    metric += (metric.empty() ? "" : " / ") + std::string(c == "top1" ? "top-1" : "top-5");
  return metric;
}

std::string markdown_header(const std::vector<std::string>& cols) {
  const std::string metric = column_names(cols);
  return "| Row | Paper " + metric + " | Provenance | Final-epoch " + metric +
         " (mean ± std) | Best-epoch top-1, selected on the test set | Mean of the last 10 "
         "epochs | Train top-1, last epoch | n, profile | Final − paper | Ternary − FP, measured "
         "(paired by seed) | "
         "Ternary − FP, paper | Compression | MAC-weighted zeros (first term) | Note |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
}

std::string markdown_row(const TableRow& row, const nlohmann::json& r) {
  std::ostringstream md;
  md << "| " << cell_escape(row.label) << " | " << row.paper << " | "
     << cell_escape(r.value("provenance", std::string("—"))) << " | " << row.measured << " | "
     << row.best_cell << " | " << row.last10_cell << " | " << row.train_cell << " | " << row.n_cell
     << " | " << row.minus_paper << " | " << row.minus_fp << " | " << row.minus_fp_paper << " | "
     << row.compression << " | " << row.zeros << " | " << cell_escape(row.note) << " |\n";
  return md.str();
}

std::string csv_header(const std::vector<std::string>& cols) {
  std::string h = "table,row,experiment,profile,n";
  for (const auto& c : cols) h += ",paper_" + c + ",final_" + c + "_mean,final_" + c + "_std";
  return h +
         ",best_epoch_top1_mean,best_epoch_top1_std,last10_top1_mean,last10_top1_std,"
         "last_epoch_train_top1_mean,last_epoch_train_top1_std,"
         "final_minus_paper,ternary_minus_fp_paired_mean,ternary_minus_fp_paired_min,"
         "ternary_minus_fp_paired_max,ternary_minus_fp_paired_ci95,ternary_minus_fp_pairs,"
         "ternary_minus_fp_paper,weight_compression,mac_weighted_zero_fraction_first_term,"
         "dataset,provenance,note\n";
}

std::string csv_row(const std::string& table_id, const TableRow& row, const nlohmann::json& r,
                    const std::vector<std::string>& cols) {
  auto num_or_empty = [](bool have, double v) { return have ? fmt(v, 4) : std::string(); };
  const int n = row.n;
  std::ostringstream csv;
  csv << csv_escape(table_id) << "," << csv_escape(row.label) << "," << csv_escape(row.experiment)
      << "," << row.profile << "," << n;
  for (const auto& c : cols) {
    const bool paper = r.contains("paper") && r["paper"].contains(c);
    const auto st = row.stats.find(c);
    csv << "," << (paper ? fmt(r["paper"][c].get<double>()) : "");
    csv << "," << (st != row.stats.end() ? fmt(st->second.mean, 4) : "") << ","
        << (st != row.stats.end() && n > 1 ? fmt(st->second.std, 4) : "");
  }
  const SeedStats& p = row.paired;
  csv << "," << num_or_empty(n > 0, row.best.mean) << "," << num_or_empty(n > 1, row.best.std)
      << "," << num_or_empty(n > 0, row.last10.mean) << "," << num_or_empty(n > 1, row.last10.std)
      << "," << num_or_empty(row.train.n > 0, row.train.mean) << ","
      << num_or_empty(row.train.n > 1, row.train.std) << ","
      << (row.minus_paper.rfind("—", 0) == 0 ? "" : row.minus_paper) << ","
      << num_or_empty(p.n > 0, p.mean) << "," << num_or_empty(p.n > 0, p.min) << ","
      << num_or_empty(p.n > 0, p.max) << "," << num_or_empty(p.n >= 3, p.ci95) << "," << p.n << ","
      << (row.minus_fp_paper == "—" ? "" : row.minus_fp_paper) << ","
      << (row.compression == "—" ? "" : csv_escape(row.compression)) << ","
      << (row.zeros == "—" ? "" : row.zeros.substr(0, row.zeros.size() - 2)) << ","
      << csv_escape(row.dataset) << "," << csv_escape(r.value("provenance", std::string(""))) << ","
      << csv_escape(row.note) << "\n";
  return csv.str();
}

// The row as RenderedTable::rows holds it (read by render_summary and write_tables).
nlohmann::json json_row(const TableRow& row, const nlohmann::json& r) {
  nlohmann::json cell;
  cell["label"] = row.label;
  cell["experiment"] = row.experiment;
  cell["profile"] = row.profile;
  cell["n"] = row.n;
  cell["measured"] = row.measured;
  cell["note"] = row.note;
  if (row.n > 0) {
    const SeedStats& top1 = row.stats.at("top1");
    cell["final_top1"] = {{"mean", top1.mean}, {"std", top1.std}};
    cell["best_epoch_top1"] = {{"mean", row.best.mean}, {"std", row.best.std}};
    cell["last10_top1"] = {{"mean", row.last10.mean}, {"std", row.last10.std}};
    if (row.train.n > 0)
      cell["last_epoch_train_top1"] = {{"mean", row.train.mean}, {"std", row.train.std}};
    if (r.contains("paper") && r["paper"].contains("top1")) cell["paper_top1"] = r["paper"]["top1"];
  }
  if (row.paired.n > 0) {
    nlohmann::json per_seed = nlohmann::json::object();
    for (const auto& x : row.pairs) per_seed[std::to_string(x.seed)] = x.value;
    cell["ternary_minus_fp"] = {{"mean", row.paired.mean},
                                {"min", row.paired.min},
                                {"max", row.paired.max},
                                {"n", row.paired.n},
                                {"per_seed", per_seed}};
    if (row.paired.n >= 3) cell["ternary_minus_fp"]["ci95"] = row.paired.ci95;
    cell["ternary_minus_fp_cell"] = row.minus_fp;
  }
  if (row.minus_fp_paper != "—") cell["ternary_minus_fp_paper"] = row.minus_fp_paper;
  for (const auto& [seed, phases] : row.phase_gaps) {
    nlohmann::json ph = nlohmann::json::array();
    for (const auto& p : phases)
      ph.push_back({{"epochs", {p.first_epoch, p.last_epoch}},
                    {"lr", p.lr},
                    {"test_top1_gap", p.test_gap},
                    {"train_top1_gap",
                     std::isnan(p.train_gap) ? nlohmann::json() : nlohmann::json(p.train_gap)}});
    cell["ternary_minus_fp_by_phase"][std::to_string(seed)] = ph;
  }
  return cell;
}

// The rows' ternary − FP per phase of a step learning-rate schedule (gap_by_phase), as Markdown
// table lines; empty for a row whose seeds have no phases or phases that differ.
std::string markdown_phase_rows(const TableRow& row) {
  if (row.phase_gaps.empty()) return "";
  const auto& first = row.phase_gaps.front().second;
  std::string seeds;
  for (const auto& [seed, phases] : row.phase_gaps) {
    if (phases.size() != first.size()) return "";
    for (size_t k = 0; k < phases.size(); ++k)
      if (phases[k].first_epoch != first[k].first_epoch ||
          phases[k].last_epoch != first[k].last_epoch)
        return "";
    seeds += (seeds.empty() ? "" : ", ") + std::to_string(seed);
  }
  std::string out;
  for (size_t k = 0; k < first.size(); ++k) {
    std::string test, train;
    for (const auto& pg : row.phase_gaps) {
      const PhaseGap& p = pg.second[k];
      test += (test.empty() ? "" : ", ") + signed_fmt(p.test_gap);
      train +=
          (train.empty() ? "" : ", ") + (std::isnan(p.train_gap) ? "—" : signed_fmt(p.train_gap));
    }
    char lr[32];
    std::snprintf(lr, sizeof lr, "%g", first[k].lr);
    out += "| " + cell_escape(row.label) + " (seed" + (row.phase_gaps.size() > 1 ? "s " : " ") +
           seeds + ") | " + std::to_string(first[k].first_epoch) + "–" +
           std::to_string(first[k].last_epoch) + " | " + lr + " | " + test + " | " + train + " |\n";
  }
  return out;
}

std::string markdown_phase_section(const std::string& rows) {
  if (rows.empty()) return "";
  return "\n**Ternary − FP by phase of the learning-rate schedule**, paired by seed: the mean over "
         "the phase's epochs of the test top-1 difference and of the training top-1 difference, "
         "one value per seed. A training-set gap at least as large as the test gap means the "
         "ternary net fits the data worse (under-fitting) rather than generalizing worse.\n\n"
         "| Row | Epochs | Learning rate | Test top-1, ternary − FP | Train top-1, ternary − FP "
         "|\n|---|---|---|---|---|\n" +
         rows;
}

// What the table measured on, what its columns mean, and the table's own notes.
std::string markdown_footer(const std::set<std::string>& datasets, const nlohmann::json& spec) {
  std::ostringstream md;
  md << "\n";
  if (!datasets.empty()) {
    std::string ds;
    for (const auto& d : datasets) ds += (ds.empty() ? "" : ", ") + d;
    md << "**Measured on " << ds << ".** ";
    if (ds.find("proxy") != std::string::npos)
      md << "The proxy re-encodes every image as JPEG-75: absolute accuracies sit below those on "
            "the official files, while FP and ternary runs on the same copy compare fairly (the "
            "papers' claim is the difference).";
    md << "\n\n";
  }
  md << "Columns: *Final-epoch* is the accuracy of the last epoch's weights, the honest estimate "
        "(mean ± sample std over seeds); *Best-epoch* is the highest test accuracy of any epoch, "
        "i.e. a model selected on the test set as the papers' reference code does (optimistic; "
        "the epoch is given per seed); *Mean of the last 10 epochs* is a selection-free estimate "
        "less noisy than one epoch; *Train top-1* is the training-set accuracy of the last epoch "
        "(augmented images, counted while the weights were updated): how well a model fits, next "
        "to how well it generalizes; *Ternary − FP* pairs each ternary run with the FP run of the "
        "same seed (mean [min, max] over seeds, with a 95 % t-interval from three seeds on); "
        "*Compression* is the exact storage of the conv/FC weights (2 bits per code per term + "
        "FP32 scales) against FP32; *MAC-weighted zeros* is the zero fraction of the first "
        "ternary term's codes (the authors' sparsity) weighted by each layer's MACs.\n\n";
  if (spec.contains("notes")) {
    md << "Notes:\n\n";
    for (const auto& nte : spec["notes"]) md << "- " << nte.get<std::string>() << "\n";
    md << "\n";
  }
  return md.str();
}

}  // namespace

RenderedTable render_table(const TableSpec& t, const RenderOptions& o) {
  const auto& spec = t.spec;
  const auto cols = spec["columns"].get<std::vector<std::string>>();
  std::map<std::string, Measured> cache;  // rows share experiments (baselines, reference rows)
  auto measured = [&](const std::string& id) -> const Measured& {
    auto it = cache.find(id);
    if (it == cache.end()) it = cache.emplace(id, measure(id, o)).first;
    return it->second;
  };
  std::ostringstream md;
  md << "# " << spec["title"].get<std::string>() << "\n\n";
  if (spec.contains("paper")) md << "Source paper: " << spec["paper"].get<std::string>() << "\n\n";
  md << markdown_header(cols);
  std::string csv = csv_header(cols);
  RenderedTable out;
  out.rows = nlohmann::json::array();
  std::set<std::string> datasets;
  std::string phase_rows;
  for (const auto& r : spec["rows"]) {
    const TableRow row = table_row(r, cols, measured, o);
    if (!row.dataset.empty()) datasets.insert(row.dataset);
    md << markdown_row(row, r);
    csv += csv_row(t.id, row, r, cols);
    out.rows.push_back(json_row(row, r));
    phase_rows += markdown_phase_rows(row);
  }
  md << markdown_phase_section(phase_rows);
  md << markdown_footer(datasets, spec);
  out.markdown = md.str();
  out.csv = csv;
  return out;
}

}  // namespace tnn
