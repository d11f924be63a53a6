// ImageNet (or any ImageFolder tree in the ILSVRC-2012 layout) behind the DataSource interface:
// the cached folder index, the threaded JPEG loader (lib/data/image_loader.cpp) and the hand-off of
// its uint8 NHWC batches to the device, where they are normalised (pinned memory and an async copy
// when the device is a GPU). Unreadable files are reported by name, counted and skipped, up to
// data.max_bad_files.
#include "tnn/dataset.hpp"

#ifdef TNN_HAVE_IMAGEDATA
#include "tnn/fileio.hpp"
#include "tnn/imagedata.hpp"

#include <filesystem>
#include <iostream>
#include <set>
#endif
#include <stdexcept>

namespace tnn {

#ifndef TNN_HAVE_IMAGEDATA
std::unique_ptr<DataSource> open_imagenet(const nlohmann::json&, const std::string&,
                                          torch::Device) {
  throw std::runtime_error(
      "data.dataset imagenet: this build has no image decoding (libjpeg and OpenCV imgcodecs "
      "were not found at "
      "configure time: install them with ci/install-deps.sh and re-run cmake)");
}
#else
namespace fs = std::filesystem;
namespace id = imagedata;

namespace {

// Unreadable files seen by this process, shared by the streams of one source.
struct BadFiles {
  std::set<std::string> paths;
  std::vector<id::BadFile> list;
  int64_t limit = 0;
  void add(const std::vector<id::BadFile>& bad) {
    for (const auto& b : bad) {
      if (!paths.insert(b.path).second) continue;
      list.push_back(b);
      std::cerr << "tnn: skipping unreadable image " << b.path << ": " << b.error << "\n";
      if (int64_t(list.size()) > limit)
        throw std::runtime_error(std::to_string(list.size()) +
                                 " unreadable images, more than data.max_bad_files = " +
                                 std::to_string(limit) + " (first: " + list.front().path + ": " +
                                 list.front().error + "); check the folder or raise the limit");
    }
  }
};

// On the CPU the loader's threads normalise (one fused pass per image, in parallel); for a GPU
// they hand over uint8 pixels and the device normalises.
id::LoaderOptions on_host(id::LoaderOptions o, torch::Device device, bool channels_last) {
  o.normalize = !device.is_cuda();
  o.channels_last = channels_last;
  return o;
}

class ImageNetStream : public BatchStream {
 public:
  ImageNetStream(std::shared_ptr<const id::FolderIndex> index, std::vector<int64_t> order,
                 id::LoaderOptions o, torch::Device device, bool channels_last, BadFiles& bad)
      : loader_(std::move(index), std::move(order), on_host(o, device, channels_last)),
        device_(device),
        channels_last_(channels_last),
        bad_(bad) {}

  bool next(Batch& b) override {
    // Back to the loader's pool when the last tensor over it is gone (the pool outlives the loader
    // if the tensors do).
    std::shared_ptr<id::HostBatch> hb(loader_.pool()->take().release(),
                                      [pool = loader_.pool()](id::HostBatch* b) {
                                        pool->give(std::unique_ptr<id::HostBatch>(b));
                                      });
    do {
      if (!loader_.next(*hb)) return false;
      bad_.add(hb->bad);
    } while (hb->n == 0);  // every image of the batch unreadable: nothing to train on
    const int64_t n = hb->n, s = hb->size;
    // Zero-copy views of the loader's buffers; the tensors keep the batch alive.
    auto labels = torch::from_blob(
        hb->labels.data(), {n}, [hb](void*) {}, torch::kLong);
    if (!device_.is_cuda()) {
      // Normalised by the loader's threads: NCHW sizes over NHWC (channels-last) or NCHW memory.
      std::vector<int64_t> strides = channels_last_ ? std::vector<int64_t>{s * s * 3, 1, s * 3, 3}
                                                    : std::vector<int64_t>{s * s * 3, s * s, s, 1};
      b.x = torch::from_blob(
          hb->values.data(), {n, 3, s, s}, strides, [hb](void*) {}, torch::kFloat);
      b.y = labels.clone();
      return true;
    }
    auto pixels = torch::from_blob(
        hb->pixels.data(), {n, s, s, 3}, [hb](void*) {}, torch::kUInt8);
    // Page-locked staging buffers make the host-to-device copies asynchronous.
    auto pinned =
        torch::empty_like(pixels, torch::TensorOptions().pinned_memory(true)).copy_(pixels);
    auto pinned_y =
        torch::empty_like(labels, torch::TensorOptions().pinned_memory(true)).copy_(labels);
    b.x = normalize_nhwc(pinned.to(device_, /*non_blocking=*/true), kImageNetMean, kImageNetStd,
                         channels_last_);
    b.y = pinned_y.to(device_, /*non_blocking=*/true);
    return true;
  }
  double wait_seconds() const override { return loader_.wait_seconds(); }

 private:
  id::Loader loader_;
  torch::Device device_;
  bool channels_last_;
  BadFiles& bad_;
};

// Evenly spaced subset of n items (every class represented in a sorted index), or all.
std::vector<int64_t> subset(int64_t n, int64_t limit) {
  std::vector<int64_t> out;
  const int64_t k = limit > 0 && limit < n ? limit : n;
  for (int64_t i = 0; i < k; ++i) out.push_back(k == n ? i : i * n / k);
  return out;
}

class ImageNetSource : public DataSource {
 public:
  ImageNetSource(const nlohmann::json& cfg, const std::string& dir_flag, torch::Device device)
      : device_(device) {
    const auto& d = cfg["data"];
    root_ = id::resolve_imagenet_dir(dir_flag);
    train_ =
        std::make_shared<id::FolderIndex>(id::index_folder((fs::path(root_) / "train").string()));
    val_ = std::make_shared<id::FolderIndex>(id::index_folder((fs::path(root_) / "val").string()));
    if (train_->classes != val_->classes)
      throw std::runtime_error(root_ + ": train/ has " + std::to_string(train_->classes.size()) +
                               " class folders, val/ " + std::to_string(val_->classes.size()) +
                               ", or their names differ: both must hold the same wnids");
    train_items_ = subset(int64_t(train_->files.size()), d["train_limit"].get<int64_t>());
    val_items_ = subset(int64_t(val_->files.size()), d["test_limit"].get<int64_t>());
    channels_last_ = cfg["model"]["channels_last"];
    base_.crop = d["crop_size"];
    base_.resize = d["resize_size"];
    base_.scale_lo = d["crop_scale"][0];
    base_.scale_hi = d["crop_scale"][1];
    base_.ratio_lo = d["crop_ratio"][0];
    base_.ratio_hi = d["crop_ratio"][1];
    base_.flip = d["augment"].get<bool>();
    augment_ = d["augment"].get<bool>();
    base_.dct_scaling = d["dct_scaling"];
    base_.exact_train = d["train_resize"] == "torchvision";
    base_.threads = d["loader_threads"];
    base_.prefetch = d["prefetch_batches"];
    bad_.limit = d["max_bad_files"];
  }
  int64_t train_size() const override { return int64_t(train_items_.size()); }
  int64_t test_size() const override { return int64_t(val_items_.size()); }
  int64_t num_classes() const override { return int64_t(train_->classes.size()); }
  nlohmann::json identity() const override {
    nlohmann::json j;
    fs::path marker = fs::path(root_) / "tnn-imagefolder.json";
    if (fs::exists(marker)) {  // a folder built by ci/make-imagefolder.py says what it is
      auto m = nlohmann::json::parse(read_file(marker.string()));
      j["dataset"] = m.value("dataset", "ImageFolder");
      j["variant"] = m.value("variant", "unknown");
      j["label"] = m.value("label", "ImageFolder test set");
      j["official"] = false;
    } else {
      j["dataset"] = "ImageNet";
      j["variant"] = "ILSVRC-2012 folder layout (contents not checked)";
      j["label"] = "ImageNet";
      j["official"] = "unknown (no checksums checked)";
    }
    j["path"] = fs::absolute(root_).lexically_normal().string();
    j["classes"] = train_->classes.size();
    j["train_images"] = train_items_.size();
    j["test_images"] = val_items_.size();
    j["test_split"] = "val";
    j["index_signature"] = {{"train", train_->signature}, {"val", val_->signature}};
    return j;
  }
  std::unique_ptr<BatchStream> train_epoch(int seed, int epoch, int64_t batch,
                                           const Shard& shard) override {
    id::LoaderOptions o = base_;
    o.train = augment_;
    o.batch = batch;
    // Crops and flips come from (seed, epoch, position in the stream): data-parallel ranks mix
    // their rank in so that equal positions of different shards draw differently.
    o.seed = shard.world == 1 ? uint64_t(seed)
                              : id::mix_seed(uint64_t(seed), uint64_t(shard.rank), 0xd157);
    o.epoch = epoch;
    std::vector<int64_t> order;
    for (int64_t i : id::epoch_order(int64_t(train_items_.size()), uint64_t(seed), epoch))
      order.push_back(train_items_[size_t(i)]);
    return std::make_unique<ImageNetStream>(train_, shard_order(order, shard), o, device_,
                                            channels_last_, bad_);
  }
  std::unique_ptr<BatchStream> test_batches(int64_t batch, const Shard& shard) override {
    id::LoaderOptions o = base_;
    o.train = false;
    o.batch = batch;
    const auto [begin, end] = test_shard_range(int64_t(val_items_.size()), shard);
    std::vector<int64_t> mine(val_items_.begin() + begin, val_items_.begin() + end);
    return std::make_unique<ImageNetStream>(val_, std::move(mine), o, device_, channels_last_,
                                            bad_);
  }
  nlohmann::json errors() const override {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& b : bad_.list) files.push_back({{"path", b.path}, {"error", b.error}});
    return {{"count", bad_.list.size()}, {"limit", bad_.limit}, {"files", files}};
  }

 private:
  torch::Device device_;
  std::string root_;
  std::shared_ptr<id::FolderIndex> train_, val_;
  std::vector<int64_t> train_items_, val_items_;
  id::LoaderOptions base_;
  bool augment_ = true, channels_last_ = true;
  BadFiles bad_;
};

}  // namespace

std::unique_ptr<DataSource> open_imagenet(const nlohmann::json& cfg, const std::string& dir,
                                          torch::Device device) {
  return std::make_unique<ImageNetSource>(cfg, dir, device);
}
#endif

}  // namespace tnn
