// tnn table: the ratio table of a kernel benchmark run (ternary vs oneDNN / dense, same run, per
// thread count, % of roofline) from its Google Benchmark JSON.
#include "commands.hpp"

#include "tnn/fileio.hpp"
#include "tnn/kernels/bench_table.hpp"

#include <iostream>
#include <memory>

namespace tnn::cli {

void add_table(CLI::App& app) {
  struct Args {
    std::string input, out;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("table", "render the kernel ratio table of a benchmark run (results/kernels/<machine>.json)");
  cmd->add_option("benchmark_json", a->input, "benchmark JSON written by make bench / ci/bench.sh")->required();
  cmd->add_option("--out", a->out, "Markdown file to write (default: stdout)");
  cmd->callback([a] {
    auto md = kernels::render_kernel_table(kernels::parse_benchmark_json(read_file(a->input)));
    if (a->out.empty()) std::cout << md;
    else write_file_atomic(a->out, md);
  });
}

}  // namespace tnn::cli
