// A fresh, empty scratch folder per test and process, shared by the unit and integration tests.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

namespace tnn::test {

// $TMPDIR/tnn-<name>-<pid>, emptied first so a rerun never sees a previous run's files.
inline std::filesystem::path fresh_temp_dir(const std::string& name) {
  auto d =
      std::filesystem::temp_directory_path() / ("tnn-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace tnn::test
