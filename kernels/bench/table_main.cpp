// tnn_kernel_table RUN.json [OUT.md]: the Markdown report of a tnn_kernel_bench run
// (render_kernel_table); writes to stdout without OUT.md.
#include "tnn/kernels/bench_table.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: tnn_kernel_table RUN.json [OUT.md]\n";
    return 2;
  }
  try {
    std::ifstream in(argv[1]);
    if (!in) throw std::runtime_error(std::string("cannot read ") + argv[1]);
    std::stringstream text;
    text << in.rdbuf();
    const std::string md =
        tnn::kernels::render_kernel_table(tnn::kernels::parse_benchmark_json(text.str()));
    if (argc == 2) {
      std::cout << md;
    } else {
      std::ofstream out(argv[2]);
      out << md;
      if (!out) throw std::runtime_error(std::string("cannot write ") + argv[2]);
    }
  } catch (const std::exception& e) {
    std::cerr << "tnn_kernel_table: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
