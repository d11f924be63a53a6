// Paper tables (experiments/tables/*.json): which runs form which table and what the paper
// reported; rendering them as Markdown and CSV next to the measurements.
#pragma once

#include <nlohmann/json.hpp>

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
std::vector<TableSpec> load_tables(const std::string& dir, const std::vector<std::string>& only = {});

// The experiment ids a table needs (rows and their baselines), in order of appearance.
std::vector<std::string> table_experiments(const TableSpec& t);

// Finished results of an experiment in a profile: every runs_root/<id>/<profile>/seed*/result.json.
struct RunSummary {
  std::string profile;
  std::vector<nlohmann::json> finished;  // status "finished"
  std::vector<nlohmann::json> unfinished;  // running / interrupted / failed (not results)
};
RunSummary summarize_runs(const std::string& runs_root, const std::string& id, const std::string& profile);

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

// Writes <out_dir>/<id>.md and .csv for each table and <index_path> (an index of all tables with
// the commits and machines that produced their measurements).
void write_tables(const std::vector<TableSpec>& tables, const RenderOptions& o, const std::string& out_dir,
                  const std::string& index_path);

}  // namespace tnn
