// Rendering of paper tables next to measured results. Every cell says where it comes from; a
// row without a measurement says why (not run in this profile, in progress, ImageNet missing...).
#include "tnn/report.hpp"

#include "tnn/check.hpp"
#include "tnn/fileio.hpp"
#include "tnn/pack.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace tnn {
namespace fs = std::filesystem;

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

std::string fmt(double v, int prec = 2) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}
std::string signed_fmt(double v) {
  return (v >= 0 ? "+" : "") + fmt(v);
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

}  // namespace

RenderedTable render_table(const TableSpec& t, const RenderOptions& o) {
  const auto& spec = t.spec;
  std::vector<std::string> cols = spec["columns"].get<std::vector<std::string>>();
  auto col_name = [](const std::string& c) {
    return c == "top1" ? std::string("top-1") : std::string("top-5");
  };
  std::string metric;
  for (const auto& c : cols) metric += (metric.empty() ? "" : " / ") + col_name(c);

  std::ostringstream md, csv;
  md << "# " << spec["title"].get<std::string>() << "\n\n";
  if (spec.contains("paper")) md << "Source paper: " << spec["paper"].get<std::string>() << "\n\n";

  std::map<std::string, Measured> cache;
  auto measured = [&](const std::string& id) -> const Measured& {
    auto it = cache.find(id);
    if (it == cache.end()) it = cache.emplace(id, measure(id, o)).first;
    return it->second;
  };
  std::set<std::string> datasets;

  md << "| Row | Paper " << metric << " | Provenance | Final-epoch " << metric
     << " (mean ± std) | Best-epoch top-1, selected on the test set | Mean of the last 10 epochs | "
        "n, profile | "
        "Final − paper | Ternary − FP, measured (paired by seed) | Ternary − FP, paper | "
        "Compression | "
        "MAC-weighted zeros (first term) | Note |\n";
  md << "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  csv << "table,row,experiment,profile,n";
  for (const auto& c : cols)
    csv << ",paper_" << c << ",final_" << c << "_mean,final_" << c << "_std";
  csv << ",best_epoch_top1_mean,best_epoch_top1_std,last10_top1_mean,last10_top1_std,final_minus_"
         "paper"
         ",ternary_minus_fp_paired_mean,ternary_minus_fp_paired_min,ternary_minus_fp_paired_max"
         ",ternary_minus_fp_paired_ci95,ternary_minus_fp_pairs,ternary_minus_fp_paper,weight_"
         "compression"
         ",mac_weighted_zero_fraction_first_term,dataset,provenance,note\n";

  RenderedTable out;
  out.rows = nlohmann::json::array();
  for (const auto& r : spec["rows"]) {
    nlohmann::json cell;
    cell["label"] = r["label"];
    std::string note, paper_s = "—", meas_s = "—", best_s = "—", last_s = "—", n_s = "—",
                      d_paper = "—", d_fp = "—", d_fp_paper = "—",
                      comp = r.value("compression", std::string("—")), zeros = "—";
    const bool has_paper = r.contains("paper");
    if (has_paper) {
      paper_s.clear();
      for (const auto& c : cols) {
        if (!paper_s.empty()) paper_s += " / ";
        paper_s += r["paper"].contains(c) ? fmt(r["paper"][c].get<double>()) : std::string("?");
      }
    }
    if (r.contains("conflicts"))
      for (const auto& cf : r["conflicts"]) {
        std::string v;
        for (const auto& c : cols)
          if (cf["value"].contains(c))
            v += (v.empty() ? "" : " / ") + fmt(cf["value"][c].get<double>());
        note += (note.empty() ? "" : "; ") + std::string("conflicting value ") + v + " (" +
                cf["source"].get<std::string>() + ")";
      }
    std::string exp = r.contains("experiment") && r["experiment"].is_string()
                          ? r["experiment"].get<std::string>()
                          : "";
    std::string profile;
    int n = 0;
    std::map<std::string, SeedStats> stats;
    SeedStats best, last10, paired;
    std::vector<PairedDifference> pairs;
    if (r.value("reference", false)) {
      note = std::string("reference value from another paper (not reproduced here)") +
             (note.empty() ? "" : "; " + note);
    } else if (exp.empty()) {
      note = "not run: " + r.value("not_run", std::string("no experiment")) +
             (note.empty() ? "" : "; " + note);
    } else {
      const Measured& m = measured(exp);
      if (m.results.empty()) {
        // A row whose runs need data this machine lacks (ImageNet) says so until results exist.
        std::string why =
            r.contains("not_run")
                ? "not run here: " + r["not_run"].get<std::string>() + " (" + m.pending + ")"
                : m.pending;
        note = why + (note.empty() ? "" : "; " + note);
      } else {
        profile = m.profile;
        n = int(m.results.size());
        meas_s.clear();
        for (const auto& c : cols) {
          std::vector<double> v;
          for (const auto& res : m.results) v.push_back(res.at("final").at(c).get<double>());
          stats[c] = seed_stats(v);
          if (!meas_s.empty()) meas_s += " / ";
          meas_s += mean_std(stats[c]);
        }
        std::vector<double> vb, vl;
        for (const auto& res : m.results) {
          vb.push_back(best_epoch_top1(res));
          vl.push_back(last_epochs_mean_top1(res, 10));
        }
        best = seed_stats(vb);
        last10 = seed_stats(vl);
        std::string epochs_of_best;
        for (const auto& res : m.results)
          epochs_of_best +=
              (epochs_of_best.empty() ? "" : ", ") + std::to_string(res["best"].value("epoch", 0));
        best_s = mean_std(best) + " (epoch " + epochs_of_best + ")";
        last_s = mean_std(last10);
        n_s = std::to_string(n) + " seed" + (n > 1 ? "s" : "") + ", " + profile;
        const auto& first = m.results.front();
        datasets.insert(first["dataset"].value("label", "unknown"));
        if (first.contains("footprint"))
          comp = fmt(first["footprint"]["weight_compression"].get<double>(), 1) + "X";
        const auto z = mac_weighted_zeros(first, kernels::ZeroCount::kFirstTerm);
        if (z.is_number()) zeros = fmt(100.0 * z.get<double>(), 1) + " %";
        // Absolute differences to the paper mean something only at the paper's recipe.
        if (has_paper && r["paper"].contains("top1"))
          d_paper = profile == "paper"
                        ? signed_fmt(stats["top1"].mean - r["paper"]["top1"].get<double>())
                        : "— (" + profile + " profile)";
        if (profile == "smoke")
          note = "smoke profile: plumbing check on " +
                 std::to_string(first["dataset"].value("train_images", 0)) + " images of " +
                 first["dataset"].value("label", std::string("?")) + ", not a result" +
                 (note.empty() ? "" : "; " + note);
        else if (profile != "paper")
          note = "profile " + profile +
                 " is a shortened schedule: compare deltas, not absolute values" +
                 (note.empty() ? "" : "; " + note);
        if (!m.progress.empty()) note = m.progress + (note.empty() ? "" : "; " + note);
        if (r.contains("baseline")) {
          RunSummary b = summarize_runs(o.runs_root, r["baseline"], profile);
          pairs = paired_differences(m.results, b.finished, final_top1);
          if (!pairs.empty()) {
            std::vector<double> v;
            for (const auto& x : pairs) v.push_back(x.value);
            paired = seed_stats(v);
            d_fp = paired_cell(pairs);
            if (int(pairs.size()) < n || int(pairs.size()) < int(b.finished.size()))
              note += std::string(note.empty() ? "" : "; ") + "difference over the " +
                      std::to_string(pairs.size()) + " seed(s) both rows have";
          } else if (!b.finished.empty()) {
            std::vector<double> v;
            for (const auto& res : b.finished) v.push_back(final_top1(res));
            d_fp =
                signed_fmt(stats["top1"].mean - seed_stats(v).mean) + " (unpaired: no common seed)";
          } else {
            d_fp = "— (FP baseline not run in profile " + profile + ")";
          }
        }
      }
    }
    if (r.contains("paper_baseline") && has_paper && r["paper"].contains("top1"))
      d_fp_paper =
          signed_fmt(r["paper"]["top1"].get<double>() - r["paper_baseline"]["top1"].get<double>());
    md << "| " << cell_escape(r["label"]) << " | " << paper_s << " | "
       << cell_escape(r.value("provenance", std::string("—"))) << " | " << meas_s << " | " << best_s
       << " | " << last_s << " | " << n_s << " | " << d_paper << " | " << d_fp << " | "
       << d_fp_paper << " | " << comp << " | " << zeros << " | " << cell_escape(note) << " |\n";

    auto num_or_empty = [](bool have, double v, int prec = 4) {
      return have ? fmt(v, prec) : std::string();
    };
    csv << csv_escape(t.id) << "," << csv_escape(r["label"]) << "," << csv_escape(exp) << ","
        << profile << "," << n;
    for (const auto& c : cols) {
      csv << "," << (has_paper && r["paper"].contains(c) ? fmt(r["paper"][c].get<double>()) : "");
      csv << "," << (stats.count(c) ? fmt(stats[c].mean, 4) : "") << ","
          << (stats.count(c) && n > 1 ? fmt(stats[c].std, 4) : "");
    }
    csv << "," << num_or_empty(n > 0, best.mean) << "," << num_or_empty(n > 1, best.std) << ","
        << num_or_empty(n > 0, last10.mean) << "," << num_or_empty(n > 1, last10.std) << ","
        << (d_paper.rfind("—", 0) == 0 ? "" : d_paper) << ","
        << num_or_empty(paired.n > 0, paired.mean) << "," << num_or_empty(paired.n > 0, paired.min)
        << "," << num_or_empty(paired.n > 0, paired.max) << ","
        << num_or_empty(paired.n >= 3, paired.ci95) << "," << paired.n << ","
        << (d_fp_paper == "—" ? "" : d_fp_paper) << "," << (comp == "—" ? "" : csv_escape(comp))
        << "," << (zeros == "—" ? "" : zeros.substr(0, zeros.size() - 2)) << ","
        << csv_escape(n > 0 ? *datasets.rbegin() : "") << ","
        << csv_escape(r.value("provenance", std::string(""))) << "," << csv_escape(note) << "\n";

    cell["experiment"] = exp;
    cell["profile"] = profile;
    cell["n"] = n;
    cell["measured"] = meas_s;
    cell["note"] = note;
    if (n > 0) {
      cell["final_top1"] = {{"mean", stats["top1"].mean}, {"std", stats["top1"].std}};
      cell["best_epoch_top1"] = {{"mean", best.mean}, {"std", best.std}};
      cell["last10_top1"] = {{"mean", last10.mean}, {"std", last10.std}};
      if (has_paper && r["paper"].contains("top1")) cell["paper_top1"] = r["paper"]["top1"];
    }
    if (paired.n > 0) {
      nlohmann::json per_seed = nlohmann::json::object();
      for (const auto& x : pairs) per_seed[std::to_string(x.seed)] = x.value;
      cell["ternary_minus_fp"] = {{"mean", paired.mean},
                                  {"min", paired.min},
                                  {"max", paired.max},
                                  {"n", paired.n},
                                  {"per_seed", per_seed}};
      if (paired.n >= 3) cell["ternary_minus_fp"]["ci95"] = paired.ci95;
      cell["ternary_minus_fp_cell"] = d_fp;
    }
    if (d_fp_paper != "—") cell["ternary_minus_fp_paper"] = d_fp_paper;
    out.rows.push_back(cell);
  }
  md << "\n";
  if (!datasets.empty()) {
    std::string ds;
    for (const auto& d : datasets) ds += (ds.empty() ? "" : ", ") + d;
    md << "**Measured on " << ds << ".** ";
    if (ds.find("proxy") != std::string::npos)
      md << "The proxy re-encodes every image as JPEG-75: absolute accuracies sit below those on "
            "the official files, "
            "while FP and ternary runs on the same copy compare fairly (the papers' claim is the "
            "difference).";
    md << "\n\n";
  }
  md << "Columns: *Final-epoch* is the accuracy of the last epoch's weights, the honest estimate "
        "(mean ± sample std "
        "over seeds); *Best-epoch* is the highest test accuracy of any epoch, i.e. a model "
        "selected on the test set "
        "as the papers' reference code does (optimistic; the epoch is given per seed); *Mean of "
        "the last 10 epochs* "
        "is a selection-free estimate less noisy than one epoch; *Ternary − FP* pairs each ternary "
        "run with the FP "
        "run of the same seed (mean [min, max] over seeds, with a 95 % t-interval from three seeds "
        "on); "
        "*Compression* is the exact storage of the conv/FC weights (2 bits per code per term + "
        "FP32 scales) against "
        "FP32; *MAC-weighted zeros* is the zero fraction of the first ternary term's codes (the "
        "authors' sparsity) "
        "weighted by each layer's MACs.\n\n";
  if (spec.contains("notes")) {
    md << "Notes:\n\n";
    for (const auto& nte : spec["notes"]) md << "- " << nte.get<std::string>() << "\n";
    md << "\n";
  }
  out.markdown = md.str();
  out.csv = csv.str();
  return out;
}

namespace {

std::vector<fs::path> files_in(const fs::path& dir, const std::string& prefix,
                               const std::string& ext) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && e.path().extension() == ext) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Links to the kernel and inference tables (rendered by `tnn table` and ci/engine-eval.sh) and
// the training-step ratios of `tnn bench-train`, so the index lists all committed evidence.
void write_other_evidence(std::ostream& idx, const std::string& out_dir,
                          const std::string& index_path) {
  const fs::path base = fs::path(index_path).parent_path();
  auto link = [&](const fs::path& f) {
    return "[" + f.filename().string() + "](" + f.lexically_relative(base).generic_string() + ")";
  };
  auto kernels = files_in(out_dir, "kernels-", ".md"),
       inference = files_in(out_dir, "inference-", ".md");
  auto bench = files_in(base / "bench-train", "", ".json");
  auto loader = files_in(base / "imagenet", "bench-data", ".json");
  if (kernels.empty() && inference.empty() && bench.empty() && loader.empty()) return;
  idx << "\n## Kernels, packed-model inference and training speed\n\n";
  for (const auto& f : kernels)
    idx << (f.filename() == "kernels-across-machines.md"
                ? "- Kernel ratios across machines (`tnn table --across`): "
                : "- Kernel ratios vs oneDNN/cuBLAS/cuDNN, one machine: ")
        << link(f) << "\n";
  for (const auto& f : inference)
    idx << "- Packed-model engine: accuracy, latency, sparsity: " << link(f) << "\n";
  for (const auto& f : bench) {
    nlohmann::json b = nlohmann::json::parse(read_file(f.string()));
    const auto& env = b["environment"];
    idx << "- Training step (`tnn bench-train`, " << b.value("arch", "?") << ", batch "
        << b.value("batch", 0) << ", " << env.value("cpu_model", "?") << ", "
        << env.value("threads", 0) << " threads; " << link(f) << "): step time / fp:";
    std::string sep = " ";
    const std::string baseline =
        b.value("baseline", "fp");  // files before "baseline" compared with fp
    for (const auto& [m, v] : b["methods"].items()) {
      if (m == baseline) continue;
      idx << sep << m << " " << fmt(v["step_time_ratio_to_fp"].get<double>(), 3) << "x";
      sep = ", ";
    }
    idx << "\n";
  }
  for (const auto& f : loader) {  // `tnn bench-data`: the ImageNet loader against torchvision's
    nlohmann::json b = nlohmann::json::parse(read_file(f.string()));
    const std::string machine =
        b.value("machine", b["environment"].value("cpu_model", std::string("?")));
    idx << "- ImageNet loader (`tnn bench-data`, crop " << b.value("crop", 0) << ", ";
    if (b.contains("mean_file_kb"))
      idx << "JPEGs of " << fmt(b["mean_file_kb"].get<double>(), 0) << " KB, ";
    if (b.value("train_resize", std::string("fast")) == "torchvision")
      idx << "crops resized as torchvision does, ";
    idx << machine << ", " << b.value("threads", 0) << " threads; " << link(f)
        << "): " << fmt(b.value("tnn_img_per_s_median", 0.0), 1) << " img/s";
    if (b.contains("ratio_to_torchvision"))
      idx << ", " << fmt(b["ratio_to_torchvision"].get<double>())
          << "x a torchvision ImageFolder DataLoader in the same run";
    idx << "\n";
  }
}

}  // namespace

namespace {

// The papers' claims as checked by `tnn check` in each shown profile: the ones measured and not
// met first (findings), then the met ones, then those not measurable yet.
std::string claims_section(const RenderOptions& o) {
  std::vector<std::string> not_met, met, open;
  for (const auto& profile : o.profiles) {
    if (!fs::is_directory(o.experiments_root)) break;
    for (const auto& c : check_results(o.experiments_root, o.runs_root, profile)) {
      if (!c.claim) continue;
      std::string line = "- `" + c.experiment + "`, profile " + profile + ", " + c.metric + ": " +
                         c.detail + (c.note.empty() ? "" : " — " + c.note);
      (c.measured ? (c.pass ? met : not_met) : open).push_back(line);
    }
  }
  if (not_met.empty() && met.empty() && open.empty()) return "";
  std::ostringstream s;
  s << "## Paper claims checked (`tnn check`)\n\n";
  if (!not_met.empty()) {
    s << "**Measured and not met** (findings; they do not fail CI, see docs/experiments.md):\n\n";
    for (const auto& l : not_met) s << l << "\n";
    s << "\n";
  }
  if (!met.empty()) {
    s << "Measured and met:\n\n";
    for (const auto& l : met) s << l << "\n";
    s << "\n";
  }
  if (!open.empty()) {
    s << "Not measurable yet:\n\n";
    for (const auto& l : open) s << l << "\n";
    s << "\n";
  }
  return s.str();
}

}  // namespace

std::string render_summary(const std::vector<TableSpec>& tables, const RenderOptions& o) {
  std::ostringstream s;
  for (const auto& t : tables) {
    auto r = render_table(t, o);
    std::vector<std::string> rows;
    for (const auto& c : r.rows) {
      if (c["n"].get<int>() == 0) continue;
      const int n = c["n"].get<int>();
      const std::string profile = c["profile"];
      std::string line =
          c["label"].get<std::string>() + ": " + fmt(c["final_top1"]["mean"].get<double>());
      if (n > 1) line += " ± " + fmt(c["final_top1"]["std"].get<double>());
      line += " % final epoch (" + std::to_string(n) + " seed" + (n > 1 ? "s" : "") + ", " +
              profile + " profile; best epoch " + fmt(c["best_epoch_top1"]["mean"].get<double>());
      // The last 10 epochs are a plateau only at the paper's schedule (quick has 20 in all).
      if (profile == "paper")
        line += ", last-10 mean " + fmt(c["last10_top1"]["mean"].get<double>());
      line += ")";
      if (c.contains("ternary_minus_fp_cell"))
        line += "; ternary − FP " + c["ternary_minus_fp_cell"].get<std::string>();
      if (c.contains("ternary_minus_fp_paper"))
        line += ", paper " + c["ternary_minus_fp_paper"].get<std::string>();
      else if (c.contains("paper_top1") && profile == "paper")
        line += "; paper " + fmt(c["paper_top1"].get<double>()) + " %";
      rows.push_back(line);
    }
    if (rows.empty()) continue;
    s << "- **" << t.spec["title"].get<std::string>() << "** ([table](results/tables/" << t.id
      << ".md)):\n";
    for (const auto& row : rows) s << "  - " << row << "\n";
  }
  std::string claims = claims_section(o);
  if (!claims.empty()) {
    // Only the findings go into the summary; the full list is in results/README.md.
    auto p = claims.find("**Measured and not met**");
    if (p != std::string::npos) {
      auto end = claims.find("\n\n", claims.find("\n\n", p) + 2);
      s << "- Paper claims measured and **not met** here (`tnn check`):\n";
      std::istringstream lines(claims.substr(p, end - p));
      std::string l;
      while (std::getline(lines, l))
        if (l.rfind("- ", 0) == 0) s << "  " << l << "\n";
    }
  }
  return s.str();
}

namespace {
const char* kBegin =
    "<!-- measured:begin (generated by `make tables` from results/; do not edit by hand) -->";
const char* kEnd = "<!-- measured:end -->";
}  // namespace

std::string readme_with_summary(const std::string& readme_path, const std::string& summary) {
  std::string text = read_file(readme_path);
  auto a = text.find(kBegin), b = text.find(kEnd);
  if (a == std::string::npos || b == std::string::npos || b < a)
    throw std::invalid_argument(readme_path + ": no generated block (expected the lines '" +
                                std::string(kBegin) + "' and '" + kEnd + "')");
  return text.substr(0, a) + kBegin + "\n" + summary + kEnd +
         text.substr(b + std::string(kEnd).size());
}

void write_tables(const std::vector<TableSpec>& tables, const RenderOptions& o,
                  const std::string& out_dir, const std::string& index_path) {
  fs::create_directories(out_dir);
  std::ostringstream idx;
  idx << "# Results\n\n"
      << claims_section(o) << "Rendered by `tnn reproduce` from the run folders under `"
      << fs::proximate(o.runs_root).string() << "` (profiles preferred in this order: ";
  for (size_t i = 0; i < o.profiles.size(); ++i) idx << (i ? ", " : "") << o.profiles[i];
  idx << "). Each table shows the paper's values with their provenance next to what was "
         "measured.\n\n"
      << "| Table | Measured rows | Runs' commits | Machines |\n|---|---|---|---|\n";
  for (const auto& t : tables) {
    auto r = render_table(t, o);
    write_file_atomic((fs::path(out_dir) / (t.id + ".md")).string(), r.markdown);
    write_file_atomic((fs::path(out_dir) / (t.id + ".csv")).string(), r.csv);
    int measured = 0, total = 0;
    std::set<std::string> commits, machines;
    std::string why_not;
    for (const auto& row : t.spec["rows"])
      if (row.contains("not_run")) why_not = row["not_run"];
    for (const auto& row : r.rows) {
      if (row["note"].get<std::string>().rfind("reference value", 0) == 0) continue;
      ++total;
      if (row["n"].get<int>() == 0) continue;
      ++measured;
      for (const auto& res :
           summarize_runs(o.runs_root, row["experiment"], row["profile"]).finished) {
        const auto& env = res["environment"];
        commits.insert(env.value("git_commit", "?").substr(0, 10) +
                       (env.value("git_dirty", false) ? "+dirty" : ""));
        machines.insert(env.value("cpu_model", "?") + ", " +
                        std::to_string(env.value("threads", 0)) + " threads" +
                        (env.value("gpu", "none") != "none" ? ", " + env.value("gpu", "") : ""));
      }
    }
    auto join = [](const std::set<std::string>& s) {
      std::string o2;
      for (const auto& x : s) o2 += (o2.empty() ? "" : "; ") + x;
      return o2.empty() ? std::string("—") : o2;
    };
    fs::path rel =
        fs::path(out_dir).lexically_relative(fs::path(index_path).parent_path()) / (t.id + ".md");
    idx << "| [" << t.spec["title"].get<std::string>() << "](" << rel.generic_string() << ") | "
        << measured << " of " << total
        << (measured == 0 && !why_not.empty() ? " (" + why_not + ")" : "") << " | " << join(commits)
        << " | " << join(machines) << " |\n";
  }
  idx << "\nRows without a measurement say why in their note (not run in this profile, in "
         "progress, ImageNet not available).\n";
  write_other_evidence(idx, out_dir, index_path);
  write_file_atomic(index_path, idx.str());
}

}  // namespace tnn
