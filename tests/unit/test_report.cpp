// Table rendering: paper values with provenance, measured mean ± std over seeds, deltas, and a
// reason in every row that has no measurement. The runs are minimal result.json fixtures.
#include "../temp_dir.hpp"
#include "fake_result.hpp"
#include "test_helpers.hpp"
#include "tnn/fileio.hpp"
#include "tnn/report.hpp"

#include <cmath>
#include <filesystem>

using namespace tnn;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {
fs::path root() {
  auto d = test::fresh_temp_dir("report");
  fs::create_directories(d / "experiments/tables");
  fs::create_directories(d / "experiments/cifar10");
  return d;
}

// Experiments cifar10/fp and cifar10/tern, and a table "paired" of two rows: FP, and Ternary
// paired with it by seed. Returns the table file.
std::string write_paired_table(const fs::path& d) {
  for (std::string id : {"fp", "tern"})
    write_file_atomic((d / "experiments/cifar10" / (id + ".json")).string(), "{}");
  const auto path = (d / "experiments/tables/paired.json").string();
  write_file_atomic(path, R"({
    "id": "paired", "title": "Paired", "columns": ["top1"],
    "rows": [{"label": "FP", "experiment": "cifar10/fp", "provenance": "measured only"},
             {"label": "Ternary", "experiment": "cifar10/tern", "baseline": "cifar10/fp", "provenance": "measured only"}]})");
  return path;
}

// Rendering from d/runs and d/experiments.
RenderOptions options_for(const fs::path& d) {
  RenderOptions o;
  o.runs_root = (d / "runs").string();
  o.experiments_root = (d / "experiments").string();
  return o;
}
}  // namespace

TEST_CASE("report: rows render paper values - measurements - deltas - and reasons", "[report]") {
  auto d = root();
  for (std::string id : {"fp", "tern", "pending"})
    write_file_atomic((d / "experiments/cifar10" / (id + ".json")).string(), "{}");
  write_file_atomic((d / "experiments/tables/t.json").string(), R"({
    "id": "t", "title": "Test table", "columns": ["top1"], "notes": ["a note"],
    "rows": [
      {"label": "FP", "experiment": "cifar10/fp", "paper": {"top1": 91.7}, "provenance": "authors' README"},
      {"label": "Ternary", "experiment": "cifar10/tern", "baseline": "cifar10/fp", "paper": {"top1": 91.65},
       "paper_baseline": {"top1": 91.7}, "provenance": "authors' README",
       "conflicts": [{"value": {"top1": 90.0}, "source": "a draft"}]},
      {"label": "Pending", "experiment": "cifar10/pending", "provenance": "measured only"},
      {"label": "Missing file", "experiment": "cifar10/nofile", "provenance": "measured only"},
      {"label": "ImageNet", "experiment": null, "not_run": "ImageNet not available", "paper": {"top1": 66.0}, "provenance": "unverified"},
      {"label": "Other paper", "reference": true, "paper": {"top1": 57.5}, "provenance": "orig"}
    ]})");
  auto runs = d / "runs";
  test::write_fake_result(runs, "cifar10/fp", "quick", 1, "finished", 90.0);
  test::write_fake_result(runs, "cifar10/fp", "quick", 2, "finished", 92.0);
  test::write_fake_result(runs, "cifar10/tern", "quick", 1, "finished", 89.5);
  test::write_fake_result(runs, "cifar10/tern", "paper", 1, "running", 80.0, 57);
  test::write_fake_result(runs, "cifar10/pending", "paper", 1, "running", 50.0, 3);

  RenderOptions o = options_for(d);
  auto t = load_table((d / "experiments/tables/t.json").string());
  auto r = render_table(t, o);
  const auto& rows = r.rows;
  REQUIRE(rows.size() == 6);
  CHECK(rows[0]["measured"] == "91.00 ± 1.41");  // two seeds, sample std
  CHECK(rows[0]["profile"] == "quick");
  CHECK(rows[0]["n"] == 2);
  CHECK(rows[1]["measured"] == "89.50");
  // Selection-aware columns: best epoch (selected on the test set) and the last 10 epochs' mean.
  CHECK(rows[0]["best_epoch_top1"]["mean"].get<double>() == Approx(91.5));
  CHECK(rows[0]["last10_top1"]["mean"].get<double>() == Approx(91.0 - 0.39));
  CHECK_THAT(r.markdown, Contains("| 91.50 ± 1.41 (epoch 9, 9) |"));
  // Training-set top-1 of the last epoch, beside the test accuracies.
  CHECK(rows[0]["last_epoch_train_top1"]["mean"].get<double>() == Approx(96.0));
  CHECK_THAT(r.markdown, Contains("| 90.61 ± 1.41 | 96.00 ± 1.41 | 2 seeds, quick |"));
  // Ternary - FP is paired by seed: only seed 1 has both (89.5 - 90.0), and the note says so.
  CHECK_THAT(r.markdown, Contains("| -0.50 (seed 1) |"));
  CHECK_THAT(rows[1]["note"].get<std::string>(),
             Contains("difference over the 1 seed(s) both rows have"));
  CHECK_THAT(r.markdown, Contains("| -0.05 |"));          // ternary - FP, paper
  CHECK_THAT(r.markdown, Contains("— (quick profile)"));  // no absolute delta off the paper recipe
  CHECK_THAT(rows[1]["note"].get<std::string>(), Contains("conflicting value 90.00 (a draft)"));
  CHECK_THAT(rows[2]["note"].get<std::string>(), Contains("paper profile in progress (epoch 3/10"));
  CHECK_THAT(rows[3]["note"].get<std::string>(), Contains("no experiment file cifar10/nofile"));
  CHECK_THAT(rows[4]["note"].get<std::string>(), Contains("not run: ImageNet not available"));
  CHECK_THAT(rows[5]["note"].get<std::string>(), Contains("reference value"));
  CHECK_THAT(r.markdown, Contains("CIFAR-10 (JPEG-75 proxy)"));
  CHECK_THAT(r.markdown, Contains("15.98X") || Contains("16.0X"));
  CHECK_THAT(r.csv,
             Contains("t,Ternary,cifar10/tern,quick,1,91.65,89.5000,,90.0000,,89.1100,,94.5000,,"));

  // Preferring the paper profile: the FP row has no paper run, so it says so.
  o.profiles = {"paper"};
  auto p = render_table(t, o);
  CHECK_THAT(p.rows[0]["note"].get<std::string>(), Contains("not run in profile paper"));
  CHECK_THAT(p.rows[1]["note"].get<std::string>(), Contains("in progress (epoch 57/10"));

  write_tables({t}, o, (d / "out/tables").string(), (d / "out/README.md").string());
  CHECK(fs::exists(d / "out/tables/t.md"));
  CHECK(fs::exists(d / "out/tables/t.csv"));
  CHECK_THAT(read_file((d / "out/README.md").string()), Contains("tables/t.md"));
}

TEST_CASE("report: ternary - FP paired over three seeds with its spread and 95 % interval",
          "[report]") {
  auto d = root();
  const auto table = write_paired_table(d);
  auto runs = d / "runs";
  const double fp[] = {90.0, 91.0, 92.0}, tern[] = {89.0, 90.5, 90.0};  // differences -1, -0.5, -2
  for (int s = 1; s <= 3; ++s) {
    test::write_fake_result(runs, "cifar10/fp", "paper", s, "finished", fp[s - 1]);
    test::write_fake_result(runs, "cifar10/tern", "paper", s, "finished", tern[s - 1]);
  }
  test::write_fake_result(runs, "cifar10/tern", "paper", 4, "running", 70.0, 4);
  auto r = render_table(load_table(table), options_for(d));
  // mean -1.1667, sample std 0.7638, t(0.975, 2) = 4.303: half-width 4.303 * 0.7638 / sqrt(3)
  // = 1.8975
  CHECK_THAT(r.markdown, Contains("| -1.17 [-2.00, -0.50], 3 seeds, 95 % CI ± 1.90 |"));
  const auto& d3 = r.rows[1]["ternary_minus_fp"];
  CHECK(d3["n"] == 3);
  CHECK(d3["ci95"].get<double>() == Approx(1.8975).margin(1e-3));
  CHECK(d3["per_seed"]["2"].get<double>() == Approx(-0.5));
  // A seed still training is named, not counted.
  CHECK(r.rows[1]["n"] == 3);
  CHECK_THAT(r.rows[1]["note"].get<std::string>(),
             Contains("seed 4 running (epoch 4/10, not counted)"));

  SeedStats two = seed_stats({1.0, 2.0});
  CHECK(std::isnan(two.ci95));  // no interval from two seeds
  CHECK(two.min == 1.0);
  CHECK(two.max == 2.0);
}

TEST_CASE("report: table files are validated with the file and row named", "[report]") {
  auto d = root();
  auto write = [&](const std::string& text) {
    write_file_atomic((d / "experiments/tables/bad.json").string(), text);
    return (d / "experiments/tables/bad.json").string();
  };
  CHECK_THROWS_WITH(
      load_table(write(
          R"({"id": "bad", "title": "x", "columns": ["top1"], "rows": [{"label": "a", "paper": {"top1": 1}}]})")),
      Contains("bad.json") && Contains("rows[0].provenance"));
  CHECK_THROWS_WITH(
      load_table(write(
          R"({"id": "bad", "title": "x", "columns": ["top1"], "rows": [{"label": "a", "experimnt": "x"}]})")),
      Contains("rows[0].experimnt") && Contains("unknown field"));
  CHECK_THROWS_WITH(
      load_table(write(R"({"id": "other", "title": "x", "columns": ["top1"], "rows": []})")),
      Contains("does not match the file name"));
  CHECK_THROWS_WITH(
      load_table(
          write(R"({"id": "bad", "title": "x", "columns": ["top1"], "rows": [{"label": "a"}]})")),
      Contains("not_run"));
  // The project's own table files are all valid.
  CHECK(load_tables(std::string(TNN_SOURCE_DIR) + "/experiments/tables").size() >= 5);
}

namespace {
// A fake result's history on a step schedule: lr 0.1 for epochs 1-3, 0.01 for 4-6.
void set_step_history(const fs::path& result, double test0, double test1, double train0,
                      double train1) {
  auto r = nlohmann::json::parse(read_file(result.string()));
  r["history"] = nlohmann::json::array();
  for (int e = 1; e <= 6; ++e)
    r["history"].push_back({{"epoch", e},
                            {"lr", e <= 3 ? 0.1 : 0.01},
                            {"test_top1", (e <= 3 ? test0 : test1) + e},
                            {"train_top1", e <= 3 ? train0 : train1}});
  write_file_atomic(result.string(), r.dump());
}
}  // namespace

TEST_CASE("report: ternary - FP by phase of a step schedule, paired by seed", "[report]") {
  auto d = root();
  const auto table = write_paired_table(d);
  auto runs = d / "runs";
  for (int s = 1; s <= 2; ++s) {
    test::write_fake_result(runs, "cifar10/fp", "paper", s, "finished", 90.0);
    test::write_fake_result(runs, "cifar10/tern", "paper", s, "finished", 89.0);
    const auto seed = "seed" + std::to_string(s);
    set_step_history(runs / "cifar10/fp/paper" / seed / "result.json", 80, 80, 90, 99);
    // Seed 2's test gap is 1 point wider in the first phase.
    set_step_history(runs / "cifar10/tern/paper" / seed / "result.json", s == 1 ? 77 : 76, 79, 88,
                     95);
  }
  const auto fp1 =
      nlohmann::json::parse(read_file((runs / "cifar10/fp/paper/seed1/result.json").string()));
  const auto t1 =
      nlohmann::json::parse(read_file((runs / "cifar10/tern/paper/seed1/result.json").string()));
  const auto g = gap_by_phase(t1, fp1);
  REQUIRE(g.size() == 2);
  CHECK(g[0].first_epoch == 1);
  CHECK(g[0].last_epoch == 3);
  CHECK(g[0].lr == Approx(0.1));
  CHECK(g[0].test_gap == Approx(-3.0));
  CHECK(g[0].train_gap == Approx(-2.0));
  CHECK(g[1].first_epoch == 4);
  CHECK(g[1].test_gap == Approx(-1.0));
  CHECK(g[1].train_gap == Approx(-4.0));
  // Every epoch its own rate (a cosine schedule) is not phases; different rates do not pair.
  CHECK(gap_by_phase(t1, fp1, 1).empty());
  auto other = fp1;
  other["history"][4]["lr"] = 0.02;
  CHECK(gap_by_phase(t1, other).empty());

  auto r = render_table(load_table(table), options_for(d));
  CHECK_THAT(r.markdown,
             Contains("| Ternary (seeds 1, 2) | 1–3 | 0.1 | -3.00, -4.00 | -2.00, -2.00 |"));
  CHECK_THAT(r.markdown,
             Contains("| Ternary (seeds 1, 2) | 4–6 | 0.01 | -1.00, -1.00 | -4.00, -4.00 |"));
  const auto& by_phase = r.rows[1]["ternary_minus_fp_by_phase"];
  CHECK(by_phase["2"][0]["test_top1_gap"].get<double>() == Approx(-4.0));
  CHECK_FALSE(r.rows[0].contains("ternary_minus_fp_by_phase"));
}
