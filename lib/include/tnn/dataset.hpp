// The dataset interface the trainer sees: CIFAR-10 (in memory) and ImageNet (JPEG folders,
// threaded loader) behind one API, chosen by the experiment's data.dataset.
#pragma once

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

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
  // Mid-epoch checkpoints (a run stopped by SIGUSR1/SIGTERM): the augmentation state to save
  // before the next batch, and the way back: skip to batch `step` with that state restored. The
  // default replays the first `step` batches (exact, and slow only when resuming).
  virtual std::string augment_state() const { return ""; }
  virtual void resume_at(int64_t step, const std::string& augment_state);
};

// This data-parallel rank's part of a split (PyTorch DistributedSampler): the training order is
// padded with its head to a multiple of `world` and rank r takes items r, r + world, ...; the
// test split is cut into `world` contiguous parts without padding (counts are all-reduced).
struct Shard {
  int world = 1, rank = 0;
};

class DataSource {
 public:
  virtual ~DataSource() = default;
  virtual int64_t train_size() const = 0;
  virtual int64_t test_size() const = 0;
  virtual int64_t num_classes() const = 0;
  // What was loaded (result.json "dataset"): name, variant, path, sizes, label for tables.
  virtual nlohmann::json identity() const = 0;
  // The training batches of an epoch: order, crops and flips are a pure function of (seed, epoch)
  // (and the shard: every rank draws the same permutation and takes its part).
  virtual std::unique_ptr<BatchStream> train_epoch(int seed, int epoch, int64_t batch,
                                                   const Shard& shard = {}) = 0;
  // The test (CIFAR-10) / validation (ImageNet) split without augmentation (this rank's part).
  virtual std::unique_ptr<BatchStream> test_batches(int64_t batch, const Shard& shard = {}) = 0;
  // Files that could not be read so far ({"count": n, "files": [...]}); null when not applicable.
  virtual nlohmann::json errors() const { return nullptr; }
};

// Items [begin, end) of a split of n items that `shard` evaluates.
std::pair<int64_t, int64_t> test_shard_range(int64_t n, const Shard& shard);
// `order` padded with its head to a multiple of shard.world, then every world-th item from
// shard.rank (DistributedSampler, drop_last=false).
std::vector<int64_t> shard_order(const std::vector<int64_t>& order, const Shard& shard);

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
