// The CIFAR-10 loader on the real files, its checks, and the batch augmentation.
#include <catch2/catch.hpp>

#include "test_helpers_data.hpp"
#include "tnn/fileio.hpp"

#include <fstream>

using namespace tnn;
using Catch::Contains;
namespace fs = std::filesystem;

TEST_CASE("cifar10: real files load with the official counts and labels", "[data]") {
  auto d = load_cifar10(test::data_dir());
  REQUIRE(d.train_images.sizes() == torch::IntArrayRef({50000, 3, 32, 32}));
  REQUIRE(d.test_images.sizes() == torch::IntArrayRef({10000, 3, 32, 32}));
  auto train_counts = torch::bincount(d.train_labels, {}, 10);
  auto test_counts = torch::bincount(d.test_labels, {}, 10);
  for (int c = 0; c < 10; ++c) {
    CHECK(train_counts[c].item<int64_t>() == 5000);
    CHECK(test_counts[c].item<int64_t>() == 1000);
  }
  // Every file's md5 is recorded; with a manifest it was checked against it.
  REQUIRE(d.identity["files_md5"].size() == 6);
  fs::path manifest = fs::path(test::data_dir()) / "manifest.json";
  if (fs::exists(manifest)) {
    auto m = nlohmann::json::parse(read_file(manifest.string()));
    for (auto& [name, md5] : d.identity["files_md5"].items()) CHECK(md5 == m["files"][name]["md5"]);
    CHECK(d.identity["variant"] == m["variant"]);
  }
  // Mean pixel value near the documented CIFAR-10 statistics (0-255 scale).
  auto mean = d.train_images.to(torch::kFloat).mean({0, 2, 3});
  CHECK(mean[0].item<double>() == Approx(125.3).margin(1.0));
  CHECK(mean[2].item<double>() == Approx(113.9).margin(1.0));
}

namespace {
// A copy of the data folder with links to the real files, so one file can be replaced.
fs::path linked_copy(const std::string& name, bool with_manifest) {
  auto dir = test::fresh_temp_dir(name);
  for (const auto& e : fs::directory_iterator(test::data_dir())) {
    if (e.path().filename() == "manifest.json" && !with_manifest) continue;
    fs::create_symlink(fs::absolute(e.path()), dir / e.path().filename());
  }
  return dir;
}
}  // namespace

TEST_CASE("cifar10: missing - truncated and bad-label files are named in the error", "[data]") {
  auto dir = linked_copy("trunc", false);
  fs::remove(dir / "data_batch_3.bin");
  CHECK_THROWS_WITH(load_cifar10(dir.string()),
                    Contains("data_batch_3.bin") && Contains("missing"));
  {
    std::string bytes = read_file(test::data_dir() + "/data_batch_1.bin");
    write_file_atomic((dir / "data_batch_3.bin").string(), bytes.substr(0, bytes.size() - 100));
  }
  CHECK_THROWS_WITH(load_cifar10(dir.string()), Contains("data_batch_3.bin") &&
                                                    Contains("30730000 bytes") &&
                                                    Contains("truncated"));
  {
    std::string bytes = read_file(test::data_dir() + "/data_batch_1.bin");
    bytes[3073 * 7] = 12;  // label of record 7
    write_file_atomic((dir / "data_batch_3.bin").string(), bytes);
  }
  CHECK_THROWS_WITH(load_cifar10(dir.string()),
                    Contains("data_batch_3.bin") && Contains("record 7") && Contains("label 12"));
}

TEST_CASE("cifar10: a file altered against manifest.json fails its md5 check", "[data]") {
  if (!fs::exists(fs::path(test::data_dir()) / "manifest.json")) {
    WARN("the data folder has no manifest.json; md5 check not exercised");
    return;
  }
  auto dir = linked_copy("md5", true);
  fs::remove(dir / "test_batch.bin");
  std::string bytes = read_file(test::data_dir() + "/test_batch.bin");
  bytes[5000] ^= 1;  // one pixel bit
  write_file_atomic((dir / "test_batch.bin").string(), bytes);
  CHECK_THROWS_WITH(load_cifar10(dir.string()),
                    Contains("test_batch.bin") && Contains("md5") && Contains("manifest"));
}

TEST_CASE("cifar10: data directory resolution order and message", "[data]") {
  CHECK_THROWS_WITH(resolve_cifar10_dir("/nonexistent/cifar"),
                    Contains("--data /nonexistent/cifar"));
  CHECK(resolve_cifar10_dir(test::data_dir()) == test::data_dir());
}

TEST_CASE("augmentation: deterministic per seed - crops keep pixels - flips mirror", "[data]") {
  auto d = load_cifar10(test::data_dir(), 64, 1);
  auto idx = torch::arange(64, torch::kLong);
  AugmentOptions aug;
  auto g1 = at::detail::createCPUGenerator(5), g2 = at::detail::createCPUGenerator(5);
  auto a = make_batch(d.train_images, idx, aug, &g1, torch::kCPU);
  auto b = make_batch(d.train_images, idx, aug, &g2, torch::kCPU);
  CHECK(torch::equal(a, b));
  CHECK(a.is_contiguous(at::MemoryFormat::ChannelsLast));
  // Without augmentation: normalised pixels; (x*std + mean) gives back the stored bytes.
  AugmentOptions none;
  none.channels_last = false;
  auto plain = make_batch(d.train_images, idx, none, nullptr, torch::kCPU);
  auto std_ = torch::tensor({kCifarStd[0], kCifarStd[1], kCifarStd[2]})
                  .view({1, 3, 1, 1})
                  .to(torch::kFloat);
  auto mean = torch::tensor({kCifarMean[0], kCifarMean[1], kCifarMean[2]})
                  .view({1, 3, 1, 1})
                  .to(torch::kFloat);
  CHECK(torch::allclose(plain * std_ + mean, d.train_images.narrow(0, 0, 64).to(torch::kFloat), 0,
                        1e-3));
  // Flip only: every image equals the original or its mirror.
  AugmentOptions flip_only;
  flip_only.crop = false;
  flip_only.channels_last = false;
  auto g3 = at::detail::createCPUGenerator(9);
  auto f = make_batch(d.train_images, idx, flip_only, &g3, torch::kCPU);
  int flipped = 0;
  for (int i = 0; i < 64; ++i) {
    bool same = torch::equal(f[i], plain[i]), mirrored = torch::equal(f[i], plain[i].flip({2}));
    CHECK((same || mirrored));
    flipped += mirrored && !same;
  }
  CHECK(flipped > 10);
  CHECK(flipped < 54);
  // Crop only: each output is a 32x32 window of the zero-padded (pixel value 0) image.
  AugmentOptions crop_only;
  crop_only.flip = false;
  crop_only.channels_last = false;
  auto g4 = at::detail::createCPUGenerator(3);
  auto c = make_batch(d.train_images, idx, crop_only, &g4, torch::kCPU);
  auto padded =
      torch::constant_pad_nd(d.train_images.narrow(0, 0, 64), {4, 4, 4, 4}, 0).to(torch::kFloat);
  auto restored = (c * std_ + mean).round();
  for (int i = 0; i < 8; ++i) {
    bool found = false;
    for (int dy = 0; dy <= 8 && !found; ++dy)
      for (int dx = 0; dx <= 8 && !found; ++dx)
        found = torch::allclose(restored[i], padded[i].narrow(1, dy, 32).narrow(2, dx, 32));
    CHECK(found);
  }
}
