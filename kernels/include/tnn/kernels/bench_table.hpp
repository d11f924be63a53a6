// Renders the Markdown report of a kernel benchmark run (Google Benchmark JSON written by
// tnn_kernel_bench, see ci/bench.sh): per-suite times, speed-ups of the ternary kernels over the
// oneDNN and hand-written dense baselines measured in the same run and at the same thread
// count, % of the machine's roofline, and the targets with their status; and the table across
// machines. Columns come from the registry's roles (ops.hpp), not from a list here.
// Torch-free; `tnn table` and the tnn_kernel_table tool both call it.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace tnn::kernels {

// Throws std::invalid_argument when `run` is not a benchmark JSON document.
std::string render_kernel_table(const nlohmann::json& run);

// One table over several runs (one per machine, results/kernels/*.json; GPU runs too): the
// targets and, for each headline shape ({"op": "stack", "shape": "resnet20-convs/n1"}, ...),
// every ternary-vs-baseline speed-up, one column per machine and thread count.
std::string render_across_machines(const std::vector<nlohmann::json>& runs,
                                   const nlohmann::json& headline);

// Parses Google Benchmark's JSON output, which may contain bare nan / inf numbers (e.g. the
// coefficient of variation of a constant-zero counter); they become null.
nlohmann::json parse_benchmark_json(const std::string& text);

}  // namespace tnn::kernels
