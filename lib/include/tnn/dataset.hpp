// The dataset interface the trainer sees: CIFAR-10 (in memory) and ImageNet (JPEG folders,
// threaded loader) behind one API, chosen by the experiment's data.dataset.
#pragma once

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace tnn {

struct Batch {
  torch::Tensor x;  // float [B, 3, H, W] normalised, on the training device
  torch::Tensor y;  // int64 [B], on the training device
};

// The batches of one pass over a split, in order.
class BatchStream {
 public:
  virtual ~BatchStream() = default;
  virtual bool next(Batch& b) = 0;  // false after the last batch
  // Seconds next() waited for data (the loader was behind the training step).
  virtual double wait_seconds() const { return 0.0; }
};

class DataSource {
 public:
  virtual ~DataSource() = default;
  virtual int64_t train_size() const = 0;
  virtual int64_t test_size() const = 0;
  virtual int64_t num_classes() const = 0;
  // What was loaded (result.json "dataset"): name, variant, path, sizes, label for tables.
  virtual nlohmann::json identity() const = 0;
  // The training batches of an epoch: order, crops and flips are a pure function of (seed, epoch).
  virtual std::unique_ptr<BatchStream> train_epoch(int seed, int epoch, int64_t batch) = 0;
  // The test (CIFAR-10) / validation (ImageNet) split without augmentation.
  virtual std::unique_ptr<BatchStream> test_batches(int64_t batch) = 0;
  // Files that could not be read so far ({"count": n, "files": [...]}); null when not applicable.
  virtual nlohmann::json errors() const { return nullptr; }
};

// Opens data.dataset of a resolved experiment config. `dir` is the --data flag (may be empty:
// $TNN_DATA_DIR / $TNN_IMAGENET_DIR and the defaults are tried). Batches are placed on `device`.
std::unique_ptr<DataSource> open_dataset(const nlohmann::json& config, const std::string& dir,
                                         torch::Device device);

// The ImageNet folder source (lib/data/imagenet.cpp); open_dataset calls it for "imagenet".
std::unique_ptr<DataSource> open_imagenet(const nlohmann::json& config, const std::string& dir,
                                          torch::Device device);

// ImageNet per-channel mean / std on the 0-255 scale (torchvision's Normalize values x 255).
constexpr double kImageNetMean[3] = {0.485 * 255, 0.456 * 255, 0.406 * 255};
constexpr double kImageNetStd[3] = {0.229 * 255, 0.224 * 255, 0.225 * 255};

// Normalises a uint8 NHWC batch (already on its device) into float NCHW, channels-last in memory
// when `channels_last` (the NHWC layout is kept, no copy of the layout).
torch::Tensor normalize_nhwc(const torch::Tensor& nhwc_u8, const double mean[3],
                             const double std[3], bool channels_last);

}  // namespace tnn
