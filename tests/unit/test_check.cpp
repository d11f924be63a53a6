// `tnn check`: expected values next to the experiments against minimal result.json fixtures.
// A missing run, an unfinished run and an unknown metric fail; tolerances and bounds apply to
// the mean over seeds; the baseline delta compares the same profile.
#include <catch2/catch.hpp>

#include "../temp_dir.hpp"
#include "fake_result.hpp"
#include "tnn/check.hpp"
#include "tnn/fileio.hpp"

#include <filesystem>
#include <map>

using namespace tnn;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {
fs::path fresh_root() {
  auto d = test::fresh_temp_dir("check");
  fs::create_directories(d / "experiments/cifar10");
  return d;
}

void experiment(const fs::path& d, const std::string& name, const std::string& expected) {
  write_file_atomic((d / "experiments/cifar10" / (name + ".json")).string(),
                    R"({"expected": )" + expected + "}");
}

// The run's result.json under D/runs/cifar10/NAME.
void write_run(const fs::path& d, const std::string& name, const std::string& profile, int seed,
               const std::string& status, double top1, int epochs_done = 10) {
  test::write_fake_result(d / "runs", "cifar10/" + name, profile, seed, status, top1, epochs_done);
}

// Outcomes keyed by "experiment metric".
std::map<std::string, CheckOutcome> check(const fs::path& d, const std::string& profile) {
  std::map<std::string, CheckOutcome> out;
  for (const auto& c : check_results((d / "experiments").string(), (d / "runs").string(), profile))
    out[c.experiment + " " + c.metric] = c;
  return out;
}
}  // namespace

TEST_CASE("check: tolerances and bounds on the mean over seeds", "[check]") {
  auto d = fresh_root();
  experiment(d, "fp", R"({"quick": [
      {"metric": "final_top1", "value": 91.0, "tolerance": 1.0},
      {"metric": "best_top1", "min": 92.0},
      {"metric": "final_train_loss", "max": 0.4},
      {"metric": "weight_compression", "value": 16.0, "tolerance": 0.05},
      {"metric": "mac_weighted_zero_fraction", "min": 0.2, "max": 0.3}]})");
  write_run(d, "fp", "quick", 1, "finished", 90.0);
  write_run(d, "fp", "quick", 2, "finished", 92.0);  // mean 91.0
  auto c = check(d, "quick");
  REQUIRE(c.size() == 5);
  CHECK(c["cifar10/fp final_top1"].pass);
  CHECK_THAT(c["cifar10/fp final_top1"].detail, Contains("measured 91 (mean of 2 run(s))"));
  CHECK_FALSE(c["cifar10/fp best_top1"].pass);         // mean best 91.5 < 92
  CHECK_FALSE(c["cifar10/fp final_train_loss"].pass);  // 0.5 > 0.4
  CHECK(c["cifar10/fp weight_compression"].pass);
  CHECK(c["cifar10/fp mac_weighted_zero_fraction"].pass);
  // Other profiles' expectations are not checked.
  CHECK(check(d, "paper").empty());
}

TEST_CASE("check: zeros of the first term vs over all terms (residual expansion)", "[check]") {
  auto d = fresh_root();
  experiment(d, "rel", R"({"quick": [
      {"metric": "mac_weighted_zero_fraction_first_term", "value": 0.25, "tolerance": 0.01},
      {"metric": "mac_weighted_zero_fraction_all_terms", "value": 0.5, "tolerance": 0.01}]})");
  write_run(d, "rel", "quick", 1, "finished", 90.0);
  // A result written with the two names (the older one, mac_weighted_zero_fraction, is dropped).
  auto path = d / "runs/cifar10/rel/quick/seed1/result.json";
  auto r = nlohmann::json::parse(read_file(path.string()));
  r["sparsity"] = {{"mac_weighted_zero_fraction_first_term", 0.25},
                   {"mac_weighted_zero_fraction_all_terms", 0.5}};
  write_file_atomic(path.string(), r.dump());
  auto c = check(d, "quick");
  CHECK(c["cifar10/rel mac_weighted_zero_fraction_first_term"].pass);
  CHECK(c["cifar10/rel mac_weighted_zero_fraction_all_terms"].pass);
}

TEST_CASE("check: missing, unfinished and unknown are failures, never skips", "[check]") {
  auto d = fresh_root();
  experiment(d, "never", R"({"paper": [{"metric": "final_top1", "min": 1.0}]})");
  experiment(d, "running", R"({"paper": [{"metric": "final_top1", "min": 1.0}]})");
  experiment(d, "odd", R"({"paper": [{"metric": "mystery", "min": 1.0},
                                    {"metric": "final_top1"}]})");
  write_run(d, "running", "paper", 1, "running", 80.0, 5);
  write_run(d, "odd", "paper", 1, "finished", 80.0);
  auto c = check(d, "paper");
  REQUIRE(c.size() == 4);
  for (const auto& [key, outcome] : c) CHECK_FALSE(outcome.pass);
  CHECK_THAT(c["cifar10/never final_top1"].detail, Contains("no finished run"));
  CHECK_THAT(c["cifar10/running final_top1"].detail, Contains("running at epoch 5/10"));
  CHECK_THAT(c["cifar10/odd mystery"].detail, Contains("unimplemented metric 'mystery'"));
  CHECK_THAT(c["cifar10/odd final_top1"].detail, Contains("no value/min/max given"));
}

TEST_CASE("check: the baseline delta uses the baseline's runs of the same profile", "[check]") {
  auto d = fresh_root();
  experiment(d, "base", "{}");
  experiment(d, "tern", R"({"quick": [{"metric": "final_top1_minus_baseline",
                                      "baseline": "cifar10/base", "min": -1.0}],
                            "paper": [{"metric": "final_top1_minus_baseline",
                                      "baseline": "cifar10/base", "min": -1.0}]})");
  write_run(d, "base", "quick", 1, "finished", 91.7);
  write_run(d, "tern", "quick", 1, "finished", 91.0);
  write_run(d, "tern", "paper", 1, "finished", 91.0);
  auto quick = check(d, "quick");
  CHECK(quick["cifar10/tern final_top1_minus_baseline"].pass);  // -0.7 >= -1.0
  // Paired by seed: a ternary seed without its FP seed does not count...
  write_run(d, "tern", "quick", 2, "finished", 89.0);
  CHECK(check(d, "quick")["cifar10/tern final_top1_minus_baseline"].pass);  // still seed 1 only
  // ...and once it has one, the mean of the per-seed differences is checked: (-0.7 - 2.7) / 2.
  write_run(d, "base", "quick", 2, "finished", 91.7);
  auto both = check(d, "quick")["cifar10/tern final_top1_minus_baseline"];
  CHECK_FALSE(both.pass);
  CHECK_THAT(both.detail, Contains("measured -1.7") &&
                              Contains("paired over 2 seed(s): seed 1 -0.7, seed 2 -2.7"));
  auto paper = check(d, "paper");  // the baseline has only quick runs
  CHECK_FALSE(paper["cifar10/tern final_top1_minus_baseline"].pass);
  CHECK_THAT(paper["cifar10/tern final_top1_minus_baseline"].detail,
             Contains("has no finished run in profile paper"));
}

TEST_CASE(
    "check: a paper claim is marked, measured like any target, and unmeasurable means failure",
    "[check]") {
  auto d = fresh_root();
  experiment(d, "base", R"({"paper": [{"metric": "final_top1", "value": 88.5, "tolerance": 0.5},
                                     {"metric": "final_top1", "min": 89.0, "claim": true}]})");
  experiment(d, "tern", R"({"paper": [{"metric": "final_top1_minus_baseline",
                                      "baseline": "cifar10/base", "min": -1.0, "claim": true}]})");
  experiment(d, "none", R"({"paper": [{"metric": "final_top1", "min": 1.0, "claim": true}]})");
  write_run(d, "base", "paper", 1, "finished", 88.6);
  write_run(d, "tern", "paper", 1, "finished", 88.0);
  auto out = check_results((d / "experiments").string(), (d / "runs").string(), "paper");
  REQUIRE(out.size() == 4);
  CHECK(out[0].pass);  // the recorded value
  CHECK_FALSE(out[0].claim);
  CHECK((out[1].claim && out[1].measured && !out[1].pass));  // 88.6 < 89: measured, not met
  CHECK_THAT(out[1].detail, Contains("measured 88.6"));
  CHECK(out[2].experiment == "cifar10/none");  // sorted by file: no run, so not measured
  CHECK((out[2].claim && !out[2].measured && !out[2].pass));
  CHECK((out[3].claim && out[3].measured && out[3].pass));  // -0.6 >= -1.0
}

TEST_CASE("check: a baseline delta with no common seed is not measurable", "[check]") {
  auto d = fresh_root();
  experiment(d, "base", "{}");
  experiment(d, "tern", R"({"quick": [{"metric": "final_top1_minus_baseline",
                                      "baseline": "cifar10/base", "min": -1.0, "claim": true}]})");
  write_run(d, "base", "quick", 1, "finished", 91.7);
  write_run(d, "tern", "quick", 2, "finished", 91.0);
  auto c = check(d, "quick")["cifar10/tern final_top1_minus_baseline"];
  CHECK_FALSE(c.measured);
  CHECK_FALSE(c.pass);
  CHECK_THAT(c.detail, Contains("no seed has finished runs of both"));
}
