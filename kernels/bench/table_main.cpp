// tnn_kernel_table RUN.json [OUT.md]: the Markdown report of a tnn_kernel_bench run
// (render_kernel_table); writes to stdout without OUT.md.
// tnn_kernel_table --across DIR HEADLINE.json [OUT.md]: the table across the machines of
// DIR/*.json (render_across_machines), headline shapes from HEADLINE.json ("headline" array).
#include "tnn/kernels/bench_table.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  const bool across = argc >= 2 && std::string(argv[1]) == "--across";
  if ((!across && (argc < 2 || argc > 3)) || (across && (argc < 4 || argc > 5))) {
    std::cerr << "usage: tnn_kernel_table RUN.json [OUT.md]\n"
                 "       tnn_kernel_table --across DIR HEADLINE.json [OUT.md]\n";
    return 2;
  }
  try {
    std::string md;
    const char* out_path = nullptr;
    if (across) {
      std::vector<std::string> files;
      for (const auto& e : std::filesystem::directory_iterator(argv[2]))
        if (e.path().extension() == ".json") files.push_back(e.path().string());
      std::sort(files.begin(), files.end());
      std::vector<nlohmann::json> runs;
      for (const auto& f : files) runs.push_back(tnn::kernels::parse_benchmark_json(read(f)));
      const auto headline =
          nlohmann::json::parse(read(argv[3])).value("headline", nlohmann::json::array());
      md = tnn::kernels::render_across_machines(runs, headline);
      if (argc == 5) out_path = argv[4];
    } else {
      md = tnn::kernels::render_kernel_table(tnn::kernels::parse_benchmark_json(read(argv[1])));
      if (argc == 3) out_path = argv[2];
    }
    if (!out_path) {
      std::cout << md;
    } else {
      std::ofstream out(out_path);
      out << md;
      if (!out) throw std::runtime_error(std::string("cannot write ") + out_path);
    }
  } catch (const std::exception& e) {
    std::cerr << "tnn_kernel_table: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
