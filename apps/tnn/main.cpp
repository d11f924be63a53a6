// tnn: the one command line of ternary-bench. Subcommands live in one file each (cmd_*.cpp).
#include "commands.hpp"
#include "tnn/runtime.hpp"

#include <c10/util/Exception.h>

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{
      "tnn: ternary-weight networks -- train, reproduce the papers' tables, pack, run, benchmark"};
  app.require_subcommand(1);
  int threads = 0;
  app.add_option("--threads", threads, "CPU threads (default: all cores, or OMP_NUM_THREADS)");
  app.parse_complete_callback([&threads] {
    tnn::init_threads(threads);
    tnn::init_allocator();
  });
  tnn::cli::add_ternarize(app);
  tnn::cli::add_methods(app);
  tnn::cli::add_run(app);
  tnn::cli::add_eval(app);
  tnn::cli::add_bench_train(app);
  tnn::cli::add_reproduce(app);
  tnn::cli::add_check(app);
  tnn::cli::add_pack(app);
  tnn::cli::add_infer(app);
  tnn::cli::add_table(app);
  tnn::cli::add_import(app);
  tnn::cli::add_export(app);
  tnn::cli::add_forward(app);
  tnn::cli::add_bench_data(app);
  tnn::cli::add_preprocess(app);
  tnn::cli::add_inspect(app);
  tnn::cli::add_tune(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const c10::Error& e) {
    std::cerr << "tnn: error: " << e.what_without_backtrace() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "tnn: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
