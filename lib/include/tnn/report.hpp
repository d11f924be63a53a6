// Paper tables (experiments/tables/*.json): which runs form which table and what the paper
// reported; rendering them as Markdown and CSV next to the measurements.
#pragma once

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace tnn {

struct TableSpec {
  std::string id, file;
  nlohmann::json spec;  // validated content of the table file
};

// Reads and validates a table file (unknown fields and wrong types name the file and the path).
TableSpec load_table(const std::string& path);
// All table files in `dir` (sorted by id), or only those whose id is in `only` (error if absent).
std::vector<TableSpec> load_tables(const std::string& dir,
                                   const std::vector<std::string>& only = {});

// The experiment ids a table needs (rows and their baselines), in order of appearance.
std::vector<std::string> table_experiments(const TableSpec& t);

// Finished results of an experiment in a profile: every runs_root/<id>/<profile>/seed*/result.json.
struct RunSummary {
  std::string profile;
  std::vector<nlohmann::json> finished;    // status "finished"
  std::vector<nlohmann::json> unfinished;  // running / interrupted / failed (not results)
};
RunSummary summarize_runs(const std::string& runs_root, const std::string& id,
                          const std::string& profile);

// ---- seed statistics (lib/report/stats.cpp) ----

// A finished result's test top-1 under each selection rule: the final epoch (what the tables
// report), the best epoch (selected on the test set, as the papers' reference code does), and the
// mean of the last k epochs (a selection-free estimate, less noisy than one epoch).
double final_top1(const nlohmann::json& result);
double best_epoch_top1(const nlohmann::json& result);
double last_epochs_mean_top1(const nlohmann::json& result, int k = 10);

struct SeedStats {
  int n = 0;
  double mean = 0, std = 0, min = 0, max = 0;
  double ci95 = std::nan("");  // half-width of the 95 % t-interval of the mean; n >= 3 only
};
SeedStats seed_stats(const std::vector<double>& values);

// metric(run) - metric(baseline run of the same seed), for the seeds both have (sorted by seed).
struct PairedDifference {
  int seed;
  double value;
};
std::vector<PairedDifference> paired_differences(const std::vector<nlohmann::json>& runs,
                                                 const std::vector<nlohmann::json>& baseline,
                                                 double (*metric)(const nlohmann::json&));

// run − baseline (same seed) over each phase of a step learning-rate schedule: the mean over the
// phase's epochs of the test top-1 difference and of the training top-1 difference (NaN when a
// history lacks train_top1). Where in training a gap opens or closes: a gap that shrinks on test
// while it grows on the training set is under-fitting, not over-fitting. Empty when the two
// histories do not have the same epochs and learning rates, or have more than max_phases phases
// (a cosine schedule: every epoch its own rate).
struct PhaseGap {
  int first_epoch = 0, last_epoch = 0;
  double lr = 0, test_gap = 0, train_gap = std::nan("");
};
std::vector<PhaseGap> gap_by_phase(const nlohmann::json& run, const nlohmann::json& baseline,
                                   int max_phases = 8);

struct RenderOptions {
  std::string runs_root = "results/runs";
  // For each row, the first profile with a finished run is shown (paper recipe first).
  std::vector<std::string> profiles = {"paper", "quick"};
  std::string experiments_root = "experiments";
};

struct RenderedTable {
  std::string markdown, csv;
  nlohmann::json rows;  // what was rendered, cell by cell (for checks and the index)
};
RenderedTable render_table(const TableSpec& t, const RenderOptions& o);

// What has been measured, one bullet per table with measured rows plus the paper claims measured
// and not met: the README's "What is measured so far" block, generated, never typed by hand.
std::string render_summary(const std::vector<TableSpec>& tables, const RenderOptions& o);
// The README text with its generated block (between the measured:begin/end markers) replaced by
// `summary`; throws naming the file when the markers are missing.
std::string readme_with_summary(const std::string& readme_path, const std::string& summary);

// Writes <out_dir>/<id>.md and .csv for each table and <index_path> (an index of all tables with
// the commits and machines that produced their measurements).
void write_tables(const std::vector<TableSpec>& tables, const RenderOptions& o,
                  const std::string& out_dir, const std::string& index_path);

}  // namespace tnn
