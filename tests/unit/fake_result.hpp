// A minimal result.json of one run, for the tests of `tnn check` and of table rendering.
#pragma once

#include "tnn/fileio.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace tnn::test {

// Writes RUNS/ID/PROFILE/seedSEED/result.json. Its history rises 0.1 per epoch to the final top-1,
// with the best epoch (+0.5) one before the last; training top-1 is test top-1 + 5.
inline void write_fake_result(const std::filesystem::path& runs, const std::string& id,
                              const std::string& profile, int seed, const std::string& status,
                              double top1, int epochs_done = 10) {
  nlohmann::json r;
  r["status"] = status;
  r["seed"] = seed;
  r["select"] = "final";
  r["final"] = {{"top1", top1}, {"top5", 99.0}};
  r["history"] = nlohmann::json::array();
  for (int e = 1; e <= epochs_done; ++e)
    r["history"].push_back(
        {{"epoch", e},
         {"train_loss", 0.5},
         {"train_top1", top1 + 5.0 - 0.1 * (epochs_done - e)},
         {"test_top1", e == epochs_done - 1 ? top1 + 0.5 : top1 - 0.1 * (epochs_done - e)}});
  r["best"] = {{"top1", top1 + 0.5}, {"top5", 99.0}, {"epoch", epochs_done - 1}};
  r["epochs_done"] = epochs_done;
  r["epochs"] = 10;
  r["dataset"] = {{"label", "CIFAR-10 (JPEG-75 proxy)"}};
  r["footprint"] = {{"weight_compression", 15.98}};
  r["sparsity"] = {{"mac_weighted_zero_fraction", 0.25}};
  r["environment"] = {
      {"git_commit", "abcdef0123456"}, {"cpu_model", "Test CPU"}, {"threads", 2}, {"gpu", "none"}};
  auto dir = runs / id / profile / ("seed" + std::to_string(seed));
  std::filesystem::create_directories(dir);
  write_file_atomic((dir / "result.json").string(), r.dump());
}

}  // namespace tnn::test
