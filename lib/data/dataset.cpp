// The dataset factory and the CIFAR-10 adapter (in-memory tensors, batch augmentation by
// make_batch, the draws of the original trainer loop kept exactly: randperm then per-step crops
// and flips from one generator seeded by (seed, epoch)); data-parallel ranks take their shard of
// the same permutation (tnn/dist.hpp epoch_order).
#include "tnn/dataset.hpp"

#include "tnn/data.hpp"
#include "tnn/dist.hpp"
#include "tnn/train.hpp"

#include <stdexcept>

namespace tnn {

void BatchStream::resume_at(int64_t step, const std::string&) {
  Batch skipped;
  for (int64_t s = 0; s < step; ++s)
    if (!next(skipped))
      throw std::runtime_error("resuming mid-epoch: the epoch has fewer than " +
                               std::to_string(step) +
                               " batches; the checkpoint does not belong to this data");
}

std::pair<int64_t, int64_t> test_shard_range(int64_t n, const Shard& shard) {
  return {n * shard.rank / shard.world, n * (shard.rank + 1) / shard.world};
}

std::vector<int64_t> shard_order(const std::vector<int64_t>& order, const Shard& shard) {
  if (shard.world == 1) return order;
  const int64_t n = int64_t(order.size()), per_rank = (n + shard.world - 1) / shard.world;
  std::vector<int64_t> mine;
  for (int64_t k = 0; k < per_rank; ++k)
    mine.push_back(order[size_t((k * shard.world + shard.rank) % n)]);
  return mine;
}

namespace {

class CifarStream : public BatchStream {
 public:
  // Training: this shard of the epoch's permutation with its augmentation generator.
  CifarStream(const Dataset& d, int seed, int epoch, int64_t batch, const Shard& shard,
              const AugmentOptions& aug, torch::Device device)
      : images_(d.train_images),
        labels_(d.train_labels),
        train_(true),
        batch_(batch),
        aug_(aug),
        device_(device) {
    auto o = dist::epoch_order(seed, epoch, images_.size(0), shard.world, shard.rank);
    order_ = o.indices;
    gen_ = o.augment;
  }
  // Test: items [begin, end) in order, no augmentation.
  CifarStream(const Dataset& d, std::pair<int64_t, int64_t> range, int64_t batch,
              const AugmentOptions& aug, torch::Device device)
      : images_(d.test_images),
        labels_(d.test_labels),
        train_(false),
        batch_(batch),
        aug_(aug),
        device_(device) {
    order_ = torch::arange(range.first, range.second, torch::kLong);
  }
  std::string augment_state() const override { return train_ ? generator_state(gen_) : ""; }
  void resume_at(int64_t step, const std::string& state) override {
    pos_ = std::min<int64_t>(step * batch_, order_.size(0));
    if (train_ && !state.empty()) set_generator_state(gen_, state);
  }
  bool next(Batch& b) override {
    const int64_t n = order_.size(0);
    if (pos_ >= n) return false;
    const int64_t len = std::min(batch_, n - pos_);
    auto idx = order_.narrow(0, pos_, len);
    b.x = make_batch(images_, idx, aug_, train_ ? &gen_ : nullptr, device_);
    b.y = labels_.index_select(0, idx).to(device_);
    pos_ += len;
    return true;
  }

 private:
  torch::Tensor images_, labels_, order_;
  bool train_;
  int64_t batch_, pos_ = 0;
  AugmentOptions aug_;
  torch::Device device_;
  torch::Generator gen_;
};

class Cifar10Source : public DataSource {
 public:
  Cifar10Source(const nlohmann::json& cfg, const std::string& dir, torch::Device device)
      : device_(device) {
    data_ = load_cifar10(resolve_cifar10_dir(dir), cfg["data"]["train_limit"],
                         cfg["data"]["test_limit"]);
    if (device.is_cuda()) {  // keep the whole dataset resident on the GPU
      data_.train_images = data_.train_images.to(device);
      data_.test_images = data_.test_images.to(device);
    }
    aug_.channels_last = cfg["model"]["channels_last"];
    aug_.crop = aug_.flip = cfg["data"]["augment"].get<bool>();
  }
  int64_t train_size() const override { return data_.train_images.size(0); }
  int64_t test_size() const override { return data_.test_images.size(0); }
  int64_t num_classes() const override { return 10; }
  nlohmann::json identity() const override { return data_.identity; }
  std::unique_ptr<BatchStream> train_epoch(int seed, int epoch, int64_t batch,
                                           const Shard& shard) override {
    return std::make_unique<CifarStream>(data_, seed, epoch, batch, shard, aug_, device_);
  }
  std::unique_ptr<BatchStream> test_batches(int64_t batch, const Shard& shard) override {
    AugmentOptions none;
    none.channels_last = aug_.channels_last;
    return std::make_unique<CifarStream>(data_, test_shard_range(test_size(), shard), batch, none,
                                         device_);
  }

 private:
  Dataset data_;
  AugmentOptions aug_;
  torch::Device device_;
};

}  // namespace

std::unique_ptr<DataSource> open_dataset(const nlohmann::json& cfg, const std::string& dir,
                                         torch::Device device) {
  const std::string name = cfg["data"]["dataset"];
  if (name == "cifar10") return std::make_unique<Cifar10Source>(cfg, dir, device);
  if (name == "imagenet") return open_imagenet(cfg, dir, device);
  throw std::invalid_argument("data.dataset: unknown dataset '" + name +
                              "' (known: cifar10, imagenet)");
}

torch::Tensor normalize_nhwc(const torch::Tensor& nhwc, const double mean[3], const double std[3],
                             bool channels_last) {
  auto opts = torch::TensorOptions().dtype(torch::kFloat).device(nhwc.device());
  auto m = torch::tensor({mean[0], mean[1], mean[2]}, opts).view({1, 3, 1, 1});
  auto inv = 1.0 / torch::tensor({std[0], std[1], std[2]}, opts).view({1, 3, 1, 1});
  // NHWC viewed as NCHW is channels-last in memory; the float conversion keeps that layout.
  auto x = (nhwc.permute({0, 3, 1, 2}).to(torch::kFloat) - m) * inv;
  return channels_last ? x.contiguous(at::MemoryFormat::ChannelsLast) : x.contiguous();
}

}  // namespace tnn
