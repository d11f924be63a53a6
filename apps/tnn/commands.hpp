// One function per subcommand; each adds its CLI11 subcommand and its callback.
#pragma once

#include <CLI/CLI.hpp>

namespace tnn::cli {

void add_ternarize(CLI::App& app);
void add_methods(CLI::App& app);
void add_run(CLI::App& app);
void add_eval(CLI::App& app);
void add_bench_train(CLI::App& app);
void add_reproduce(CLI::App& app);
void add_check(CLI::App& app);
void add_pack(CLI::App& app);
void add_infer(CLI::App& app);
void add_table(CLI::App& app);
void add_import(CLI::App& app);
void add_export(CLI::App& app);
void add_forward(CLI::App& app);
void add_bench_data(CLI::App& app);
void add_preprocess(CLI::App& app);
void add_inspect(CLI::App& app);
void add_tune(CLI::App& app);

}  // namespace tnn::cli
