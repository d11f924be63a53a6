// `tnn ternarize` end to end: every method on a 64x3x3x3 tensor, and its errors (exit code != 0).
#include "../temp_dir.hpp"
#include "test_helpers.hpp"
#include "tnn/fileio.hpp"
#include "tnn/npy.hpp"

#include <cstdlib>
#include <filesystem>

using namespace tnn;
namespace fs = std::filesystem;

namespace {
int run(const std::string& args) {
  std::string cmd = std::string(TNN_CLI) + " " + args + " >/dev/null 2>&1";
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
}  // namespace

TEST_CASE("tnn ternarize: every method on a 64x3x3x3 tensor", "[cli]") {
  auto dir = test::fresh_temp_dir("cli");
  torch::manual_seed(1);
  auto w = torch::randn({64, 3, 3, 3}) * 0.2;
  NpyArray in{{64, 3, 3, 3}, std::vector<float>(w.data_ptr<float>(), w.data_ptr<float>() + w.numel())};
  write_npy_f32((dir / "w.npy").string(), in);
  for (std::string m : {"fp", "wacv19", "twn", "ttq", "tga"}) {
    INFO(m);
    auto out = (dir / (m + ".npy")).string(), rep = (dir / (m + ".json")).string();
    REQUIRE(run("ternarize --method " + m + " --input " + (dir / "w.npy").string() + " --output " + out + " --report " + rep) == 0);
    auto o = read_npy_f32(out);
    CHECK(o.shape == in.shape);
    auto report = nlohmann::json::parse(read_file(rep));
    CHECK(report["method"] == m);
    if (m == "fp") {
      CHECK(o.data == in.data);
      continue;
    }
    REQUIRE(report["terms"].size() == 1);
    double zeros = report["terms"][0]["zero_fraction"];
    CHECK(zeros > 0.0);
    CHECK(zeros < 1.0);
    // The output takes exactly three values: 0 and the two levels.
    std::set<float> levels(o.data.begin(), o.data.end());
    CHECK(levels.size() == 3);
  }
  // Two terms: 5 levels; parameters given on the command line.
  REQUIRE(run("ternarize --method wacv19 --param terms=2 --input " + (dir / "w.npy").string() + " --output " + (dir / "rel.npy").string() + " --report " + (dir / "rel.json").string()) == 0);
  auto rel = read_npy_f32((dir / "rel.npy").string());
  CHECK(std::set<float>(rel.data.begin(), rel.data.end()).size() == 5);
  CHECK(nlohmann::json::parse(read_file((dir / "rel.json").string()))["terms"].size() == 2);
  REQUIRE(run("ternarize --method ttq --param wp=0.3 --param wn=0.2 --input " + (dir / "w.npy").string() + " --output " + (dir / "t.npy").string()) == 0);
  auto t = read_npy_f32((dir / "t.npy").string());
  CHECK(*std::max_element(t.data.begin(), t.data.end()) == 0.3f);
  CHECK(*std::min_element(t.data.begin(), t.data.end()) == -0.2f);

  SECTION("bad input exits non-zero") {
    CHECK(run("ternarize --method wacv19 --input " + (dir / "nope.npy").string() + " --output " + (dir / "x.npy").string()) != 0);
    CHECK(run("ternarize --method nosuch --input " + (dir / "w.npy").string() + " --output " + (dir / "x.npy").string()) != 0);
    CHECK(run("ternarize --method twn --param factor=abc --input " + (dir / "w.npy").string() + " --output " + (dir / "x.npy").string()) != 0);
    CHECK(run("ternarize --method twn --input " + (dir / "w.npy").string()) != 0);
    CHECK_FALSE(fs::exists(dir / "x.npy"));
  }
}
