// The results index (results/README.md: tables, claims checked, other evidence) and the README's
// generated "What is measured so far" block, both from the rendered paper tables.
#include "tnn/report.hpp"

#include "report_text.hpp"
#include "tnn/check.hpp"
#include "tnn/fileio.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <stdexcept>

namespace tnn {
namespace fs = std::filesystem;
using report::fmt;

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
