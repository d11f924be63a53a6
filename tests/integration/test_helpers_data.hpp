// Where the integration tests find CIFAR-10 and the experiment files.
#pragma once

#include "tnn/data.hpp"

#include <filesystem>
#include <string>

namespace tnn::test {

// $TNN_DATA_DIR (CI exports it), else ./data/cifar-10-batches-bin; throws naming what was tried.
inline std::string data_dir() { return resolve_cifar10_dir(""); }

inline std::string experiment_file(const std::string& id) {
  return std::string(TNN_SOURCE_DIR) + "/experiments/" + id + ".json";
}

inline std::filesystem::path fresh_temp_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("tnn-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace tnn::test
