// The kernel benchmark reports: parsing Google Benchmark JSON (with its NaN quirk), speed-ups
// from the same run with columns from the registry's roles, roofline percentages, target
// status, legacy names, and the table across machines.
#include <catch2/catch.hpp>

#include "tnn/kernels/bench_table.hpp"
#include "tnn/kernels/machine.hpp"

#include <unistd.h>

using tnn::kernels::parse_benchmark_json;
using tnn::kernels::render_across_machines;
using tnn::kernels::render_kernel_table;

namespace {

std::string run_json(const std::string& machine = "amd-zen4-2c", double stack_ms = 0.5) {
  auto bench = [](const std::string& name, double ms, double macs, double bytes) {
    return "{\"name\": \"" + name + "/real_time\", \"run_name\": \"" + name +
           "/real_time\", \"run_type\": \"iteration\", \"real_time\": " + std::to_string(ms) +
           ", \"time_unit\": \"ms\", \"macs\": " + std::to_string(macs) +
           ", \"batch\": 1, \"weight_bytes\": " + std::to_string(bytes) + ", \"cv\": NaN}";
  };
  const std::string targets =
      R"([{"label": "gemv f32", "op": "gemv", "impl": "ternary_f32", "shape": "4096x4096/cold", "baseline_impl": "onednn_f32", "baseline_shape": "4096x4096/cold/sgemv", "min_speedup": 10}])";
  std::string ctx =
      "{\"tnn_machine\": \"" + machine + "\", \"tnn_roofline\": " +
      nlohmann::json(
          std::string(
              R"({"fp32_gflops_per_core": 115, "int8_gops_per_core": 452, "dram_gbps": {"1": 24, "2": 40}, "l3_gbps_per_core": 96})"))
          .dump() +
      ", \"tnn_targets\": " + nlohmann::json(targets).dump() + "}";
  return "{\"context\": " + ctx + ", \"benchmarks\": [" +
         bench("BM_gemv/onednn_f32/4096x4096/cold/sgemv/t1", 3.0, 16777216, 67108864) + ", " +
         bench("BM_gemv/ternary_f32/4096x4096/cold/t1", 0.25, 16777216, 3500000) + ", " +
         bench("BM_gemv/ternary_f32/4096x4096/cold/t1", 0.35, 16777216, 3500000) + ", " +
         bench("BM_stack/onednn_f32/resnet20-convs/n1/t1", 0.7, 40000000, 1000000) + ", " +
         bench("BM_stack/ternary_f32/resnet20-convs/n1/t1", stack_ms, 40000000, 100000) + ", " +
         bench("BM_stack/ternary_s8/resnet20-convs/n1/t1", 0.2, 40000000, 100000) + "]}";
}

}  // namespace

TEST_CASE("bench table: speed-ups, roofline and targets", "[bench]") {
  const auto doc = parse_benchmark_json(run_json());  // NaN must not break parsing
  const std::string md = render_kernel_table(doc);
  INFO(md);
  CHECK(md.find("amd-zen4-2c") != std::string::npos);
  // Median of the two repetitions: 0.30 ms -> 3.0 / 0.30 = 10x; best: 3.0 / 0.25 = 12x.
  CHECK(md.find("10.00×") != std::string::npos);
  CHECK(md.find("| gemv f32 | ≥ 10.0× | 10.00× [12.00×] | – | met |") != std::string::npos);
  CHECK(md.find("1.40×") != std::string::npos);  // stack 0.7 / 0.5
  // Columns from the registry's roles: the legacy "onednn_f32 .../sgemv" is the onednn_f32
  // baseline; every ternary kernel gets a column against it.
  CHECK(md.find("ternary_f32 vs onednn_f32") != std::string::npos);
  CHECK(md.find("ternary_s8 vs onednn_f32") != std::string::npos);
  CHECK(md.find("3.50×") != std::string::npos);          // stack 0.7 / 0.2
  CHECK(md.find("onednn_f32 vs") == std::string::npos);  // a baseline is never the numerator
  CHECK(md.find("% of roofline") != std::string::npos);
  CHECK_THROWS_AS(render_kernel_table(nlohmann::json::object()), std::invalid_argument);
}

TEST_CASE("bench table: across machines, one column per machine and thread count", "[bench]") {
  const auto a = parse_benchmark_json(run_json("amd-zen4-2c", 0.5));
  const auto b = parse_benchmark_json(run_json("intel-icx-2c", 1.0));
  const auto headline = nlohmann::json::parse(R"([{"op": "stack", "shape": "resnet20-convs/n1"}])");
  const std::string md = render_across_machines({b, a}, headline);
  INFO(md);
  CHECK(md.find("| amd-zen4-2c 1t | amd-zen4-2c 2t | intel-icx-2c 1t | intel-icx-2c 2t |") !=
        std::string::npos);
  // Each ratio from its own run: 0.7 / 0.5 on one machine, 0.7 / 1.0 on the other.
  CHECK(md.find(
            "| stack | resnet20-convs/n1 | ternary_f32 vs onednn_f32 | 1.40× | – | 0.70× | – |") !=
        std::string::npos);
  CHECK(md.find("| gemv f32 | ≥ 10.0× | 10.00× | – | 10.00× | – |") != std::string::npos);
}

TEST_CASE("machine: slug names vendor, micro-architecture and CPU count", "[bench]") {
  const std::string slug = tnn::kernels::machine_slug();
  CHECK(slug.size() > 3);
  CHECK(slug.substr(slug.size() - 1) == "c");
  CHECK((slug.rfind("amd-", 0) == 0 || slug.rfind("intel-", 0) == 0 ||
         slug.find('-') != std::string::npos));
  CHECK(tnn::kernels::cpu_count() >= 1);
  CHECK(!tnn::kernels::load_average().empty());
  // Observing other processes never needs more than /proc; this process is never listed.
  for (const auto& p : tnn::kernels::busy_processes(0.05, 0.0)) CHECK(p.pid != int(getpid()));
}
