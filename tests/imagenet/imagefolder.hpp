// The ImageNet-layout test folder built by ci/make-imagefolder.py (CTest fixture imagenet/folder)
// and a scratch copy of it for tests that change the tree.
#pragma once

#include "../temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tnn::test {

inline std::string imagefolder() {
  return TNN_TEST_IMAGEFOLDER;
}

inline nlohmann::json imagefolder_meta() {
  std::ifstream in(std::string(TNN_TEST_IMAGEFOLDER) + "/tnn-imagefolder.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A copy of the test folder (or of `only` files of it) in a fresh scratch folder.
inline std::filesystem::path copy_of_imagefolder(const std::string& name) {
  auto dir = fresh_temp_dir(name) / "imagenet";
  std::filesystem::copy(TNN_TEST_IMAGEFOLDER, dir, std::filesystem::copy_options::recursive);
  return dir;
}

}  // namespace tnn::test
