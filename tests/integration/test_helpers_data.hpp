// Where the integration tests find CIFAR-10 and the experiment files.
#pragma once

#include "../temp_dir.hpp"
#include "tnn/data.hpp"

#include <string>

namespace tnn::test {

// $TNN_DATA_DIR (CI exports it), else ./data/cifar-10-batches-bin; throws naming what was tried.
inline std::string data_dir() {
  return resolve_cifar10_dir("");
}

inline std::string experiment_file(const std::string& id) {
  return std::string(TNN_SOURCE_DIR) + "/experiments/" + id + ".json";
}

}  // namespace tnn::test
