// tnn table: the ratio table of a kernel benchmark run (ternary vs oneDNN / dense, same run, per
// thread count, % of roofline) from its Google Benchmark JSON; with --across, one table over
// every machine's run in results/kernels/.
#include "commands.hpp"

#include "tnn/fileio.hpp"
#include "tnn/kernels/bench_table.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

namespace tnn::cli {

void add_table(CLI::App& app) {
  struct Args {
    std::string input, out, results = "results/kernels",
                            headline = TNN_SOURCE_DIR "/experiments/kernels/across.json";
    bool across = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("table",
                                 "render the kernel ratio table of a benchmark run "
                                 "(results/kernels/<machine>.json), or --across machines");
  cmd->add_option("benchmark_json", a->input, "benchmark JSON written by make bench / ci/bench.sh");
  cmd->add_flag("--across", a->across,
                "one table over every machine's run in --results "
                "(results/tables/kernels-across-machines.md)");
  cmd->add_option("--results", a->results,
                  "--across: folder of benchmark JSON files (default results/kernels)");
  cmd->add_option("--headline", a->headline,
                  "--across: headline shapes (default experiments/kernels/across.json)");
  cmd->add_option("--out", a->out, "Markdown file to write (default: stdout)");
  cmd->callback([a] {
    std::string md;
    if (a->across) {
      std::vector<std::string> files;
      for (const auto& e : std::filesystem::directory_iterator(a->results))
        if (e.path().extension() == ".json") files.push_back(e.path().string());
      std::sort(files.begin(), files.end());
      if (files.empty()) throw std::runtime_error("--across: no benchmark JSON in " + a->results);
      std::vector<nlohmann::json> runs;
      for (const auto& f : files) runs.push_back(kernels::parse_benchmark_json(read_file(f)));
      auto headline =
          nlohmann::json::parse(read_file(a->headline)).value("headline", nlohmann::json::array());
      md = kernels::render_across_machines(runs, headline);
    } else {
      if (a->input.empty()) throw std::runtime_error("give a benchmark JSON, or --across");
      md = kernels::render_kernel_table(kernels::parse_benchmark_json(read_file(a->input)));
    }
    if (a->out.empty())
      std::cout << md;
    else
      write_file_atomic(a->out, md);
  });
}

}  // namespace tnn::cli
