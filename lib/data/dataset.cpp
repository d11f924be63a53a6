// The dataset factory and the CIFAR-10 adapter (in-memory tensors, batch augmentation by
// make_batch, the draws of the original trainer loop kept exactly: randperm then per-step crops
// and flips from one generator seeded by (seed, epoch)).
#include "tnn/dataset.hpp"

#include "tnn/data.hpp"

#include <stdexcept>

namespace tnn {

namespace {

torch::Generator cifar_epoch_generator(int seed, int epoch) {
  return at::detail::createCPUGenerator(uint64_t(seed) * 1000003ULL + uint64_t(epoch) + 1);
}

class CifarStream : public BatchStream {
 public:
  CifarStream(const Dataset& d, bool train, int seed, int epoch, int64_t batch,
              const AugmentOptions& aug, torch::Device device)
      : images_(train ? d.train_images : d.test_images),
        labels_(train ? d.train_labels : d.test_labels),
        train_(train),
        batch_(batch),
        aug_(aug),
        device_(device) {
    const int64_t n = images_.size(0);
    if (train) {
      gen_ = cifar_epoch_generator(seed, epoch);
      order_ = torch::randperm(n, gen_, torch::kLong);
    } else {
      order_ = torch::arange(n, torch::kLong);
    }
  }
  bool next(Batch& b) override {
    const int64_t n = images_.size(0);
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
  std::unique_ptr<BatchStream> train_epoch(int seed, int epoch, int64_t batch) override {
    return std::make_unique<CifarStream>(data_, true, seed, epoch, batch, aug_, device_);
  }
  std::unique_ptr<BatchStream> test_batches(int64_t batch) override {
    AugmentOptions none;
    none.channels_last = aug_.channels_last;
    return std::make_unique<CifarStream>(data_, false, 0, 0, batch, none, device_);
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
