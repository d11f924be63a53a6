// CIFAR-10 loader: official binary layout (data_batch_1..5.bin, test_batch.bin; per record one
// label byte then 1024 R, 1024 G, 1024 B bytes), every file checked before use.
#include "tnn/data.hpp"

#include "tnn/fileio.hpp"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace tnn {
namespace fs = std::filesystem;

namespace {

constexpr int64_t kRecordBytes = 1 + 3 * 32 * 32;
constexpr int64_t kRecordsPerFile = 10000;
const char* kTrainFiles[] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                             "data_batch_4.bin", "data_batch_5.bin"};
const char* kTestFile = "test_batch.bin";

bool looks_like_cifar_dir(const fs::path& d) {
  return fs::exists(d / kTestFile);
}

// Reads one batch file into images/labels starting at record `offset`; checks size and labels.
void read_batch(const fs::path& file, int64_t keep, torch::Tensor& images, torch::Tensor& labels,
                int64_t offset) {
  std::string bytes = read_file(file.string());
  const int64_t want = kRecordsPerFile * kRecordBytes;
  if (static_cast<int64_t>(bytes.size()) != want)
    throw std::runtime_error(
        file.string() + ": expected " + std::to_string(want) + " bytes (" +
        std::to_string(kRecordsPerFile) + " records of " + std::to_string(kRecordBytes) +
        "), got " + std::to_string(bytes.size()) + " (truncated or not a CIFAR-10 batch file?)");
  auto* img = images.data_ptr<uint8_t>() + offset * 3072;
  auto* lab = labels.data_ptr<int64_t>() + offset;
  for (int64_t r = 0; r < kRecordsPerFile; ++r) {
    const auto* rec = reinterpret_cast<const uint8_t*>(bytes.data()) + r * kRecordBytes;
    if (rec[0] > 9)
      throw std::runtime_error(file.string() + ": record " + std::to_string(r) + " has label " +
                               std::to_string(rec[0]) + ", expected 0..9 (corrupt file?)");
    if (r < keep) {
      lab[r] = rec[0];
      std::memcpy(img + r * 3072, rec + 1, 3072);
    }
  }
}

}  // namespace

std::string resolve_cifar10_dir(const std::string& flag) {
  std::string tried;
  auto consider = [&](const std::string& d, const std::string& from) -> bool {
    if (d.empty()) return false;
    tried += "\n  " + from + ": " + d;
    return looks_like_cifar_dir(d);
  };
  if (consider(flag, "--data")) return flag;
  if (!flag.empty())
    throw std::runtime_error("--data " + flag + ": not a CIFAR-10 binary folder (no " + kTestFile +
                             ")");
  const char* env = std::getenv("TNN_DATA_DIR");
  if (env != nullptr && consider(env, "TNN_DATA_DIR")) return env;
  if (env != nullptr && *env)
    throw std::runtime_error(std::string("TNN_DATA_DIR=") + env +
                             ": not a CIFAR-10 binary folder (no " + kTestFile + ")");
  if (consider("data/cifar-10-batches-bin", "default")) return "data/cifar-10-batches-bin";
  throw std::runtime_error(
      "CIFAR-10 not found; tried:" + tried +
      "\nRun `make data` (downloads the official release) or set TNN_DATA_DIR.");
}

Dataset load_cifar10(const std::string& dir_str, int64_t train_limit, int64_t test_limit) {
  fs::path dir(dir_str);
  nlohmann::json manifest;
  if (fs::exists(dir / "manifest.json")) {
    try {
      manifest = nlohmann::json::parse(read_file((dir / "manifest.json").string()));
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error((dir / "manifest.json").string() + ": invalid JSON: " + e.what());
    }
  }
  nlohmann::json files = nlohmann::json::object();
  auto check_file = [&](const std::string& name) {
    fs::path p = dir / name;
    if (!fs::exists(p))
      throw std::runtime_error(p.string() +
                               ": missing (expected the official CIFAR-10 binary layout)");
    std::string md5 = md5_file(p.string());
    if (!manifest.is_null()) {
      const auto& entry = manifest["files"][name];
      if (entry.is_null())
        throw std::runtime_error((dir / "manifest.json").string() + ": no entry for " + name);
      auto size = static_cast<int64_t>(fs::file_size(p));
      if (size != entry.at("bytes").get<int64_t>())
        throw std::runtime_error(p.string() + ": " + std::to_string(size) +
                                 " bytes, manifest says " + entry.at("bytes").dump());
      if (md5 != entry.at("md5").get<std::string>())
        throw std::runtime_error(p.string() + ": md5 " + md5 + ", manifest says " +
                                 entry.at("md5").get<std::string>() + " (altered or corrupt file)");
    }
    files[name] = md5;
  };
  for (const char* f : kTrainFiles) check_file(f);
  check_file(kTestFile);
  if (!fs::exists(dir / "batches.meta.txt"))
    throw std::runtime_error((dir / "batches.meta.txt").string() + ": missing (class names)");

  const int64_t n_train = 5 * kRecordsPerFile, n_test = kRecordsPerFile;
  Dataset d;
  d.train_images = torch::empty({n_train, 3, 32, 32}, torch::kUInt8);
  d.train_labels = torch::empty({n_train}, torch::kInt64);
  d.test_images = torch::empty({n_test, 3, 32, 32}, torch::kUInt8);
  d.test_labels = torch::empty({n_test}, torch::kInt64);
  for (int b = 0; b < 5; ++b)
    read_batch(dir / kTrainFiles[b], kRecordsPerFile, d.train_images, d.train_labels,
               b * kRecordsPerFile);
  read_batch(dir / kTestFile, kRecordsPerFile, d.test_images, d.test_labels, 0);
  if (train_limit > 0 && train_limit < n_train) {
    d.train_images = d.train_images.narrow(0, 0, train_limit).clone();
    d.train_labels = d.train_labels.narrow(0, 0, train_limit).clone();
  }
  if (test_limit > 0 && test_limit < n_test) {
    d.test_images = d.test_images.narrow(0, 0, test_limit).clone();
    d.test_labels = d.test_labels.narrow(0, 0, test_limit).clone();
  }

  nlohmann::json id;
  id["dataset"] = "CIFAR-10";
  id["path"] = fs::absolute(dir).lexically_normal().string();
  id["files_md5"] = files;
  id["train_images"] = d.train_images.size(0);
  id["test_images"] = d.test_images.size(0);
  if (!manifest.is_null()) {
    id["variant"] = manifest.value("variant", "unknown");
    id["official"] = manifest.value("official", false);
  } else {
    id["variant"] = "unverified";
    id["official"] = "unknown (no manifest.json; `make data` writes one after checking the md5)";
  }
  std::string variant = id["variant"];
  if (variant == "jpeg75-proxy")
    id["label"] = "CIFAR-10 (JPEG-75 proxy)";
  else if (variant == "official")
    id["label"] = "CIFAR-10 (official)";
  else
    id["label"] = "CIFAR-10 (" + variant + ")";
  d.identity = id;
  return d;
}

torch::Tensor make_batch(const torch::Tensor& images, const torch::Tensor& index,
                         const AugmentOptions& aug, torch::Generator* gen, torch::Device device) {
  using torch::indexing::Slice;
  const int64_t b = index.size(0);
  // The dataset may live on the GPU already (the trainer keeps it resident there); the indices
  // come from a CPU generator.
  auto x = images.index_select(0, index.to(images.device()))
               .to(device, /*non_blocking=*/true);  // uint8 [B,3,32,32]
  if (gen != nullptr && aug.crop && aug.padding > 0) {
    const int p = aug.padding;
    // Zero padding in pixel space (as torchvision pads the PIL image) before normalisation.
    auto padded = torch::constant_pad_nd(x, {p, p, p, p}, 0);  // [B,3,32+2p,32+2p]
    auto off = torch::randint(0, 2 * p + 1, {2, b}, *gen, torch::kLong).to(device);
    auto ar = torch::arange(32, torch::TensorOptions().dtype(torch::kLong).device(device));
    auto rows = (off[0].unsqueeze(1) + ar).view({b, 32, 1});
    auto cols = (off[1].unsqueeze(1) + ar).view({b, 1, 32});
    auto bi =
        torch::arange(b, torch::TensorOptions().dtype(torch::kLong).device(device)).view({b, 1, 1});
    // Advanced indices around a slice: result is [B, 32, 32, 3].
    x = padded.index({bi, Slice(), rows, cols}).permute({0, 3, 1, 2});
  }
  if (gen != nullptr && aug.flip) {
    auto flip = torch::rand({b}, *gen).lt(0.5).to(device).view({b, 1, 1, 1});
    x = torch::where(flip, x.flip({3}), x);
  }
  auto opts = torch::TensorOptions().dtype(torch::kFloat).device(device);
  auto mean = torch::tensor({kCifarMean[0], kCifarMean[1], kCifarMean[2]}, opts).view({1, 3, 1, 1});
  auto inv_std =
      1.0 / torch::tensor({kCifarStd[0], kCifarStd[1], kCifarStd[2]}, opts).view({1, 3, 1, 1});
  auto out = (x.to(torch::kFloat) - mean) * inv_std;
  return aug.channels_last ? out.contiguous(at::MemoryFormat::ChannelsLast) : out.contiguous();
}

}  // namespace tnn
