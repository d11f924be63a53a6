// CIFAR-10 in the official binary layout, held in memory as one uint8 tensor, with the reference
// code's augmentation done on whole batches (on the CPU or the GPU).
#pragma once

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace tnn {

struct Dataset {
  torch::Tensor train_images;  // uint8 [N, 3, 32, 32] (the file's CHW order)
  torch::Tensor train_labels;  // int64 [N]
  torch::Tensor test_images;   // uint8 [M, 3, 32, 32]
  torch::Tensor test_labels;   // int64 [M]
  // What was loaded: name, variant, official (bool or "unknown"), label for tables, per-file md5.
  nlohmann::json identity;
  std::string label() const { return identity.value("label", "CIFAR-10"); }
};

// --data flag, then $TNN_DATA_DIR, then ./data/cifar-10-batches-bin. Throws listing what was tried.
std::string resolve_cifar10_dir(const std::string& flag);

// Loads and checks every file: size and record structure (labels 0..9), and, when the folder has
// a manifest.json, size and md5 against it. Errors name the file and what was expected.
// train_limit/test_limit > 0 keep only the first records (smoke runs).
Dataset load_cifar10(const std::string& dir, int64_t train_limit = 0, int64_t test_limit = 0);

struct AugmentOptions {
  bool crop = true;  // random 32x32 crop of the image zero-padded by `padding` pixels
  int padding = 4;
  bool flip = true;  // horizontal flip with probability 1/2
  bool channels_last = true;
};

// Per-channel mean/std on the 0-255 scale, as in the reference code (official-data statistics).
constexpr double kCifarMean[3] = {125.3, 123.0, 113.9};
constexpr double kCifarStd[3] = {63.0, 62.1, 66.7};

// Normalised float batch [B, 3, 32, 32] of images[index] (index int64 [B]). With `gen`, random
// crops and flips are drawn from it (deterministic given its seed); without, no augmentation.
// The gather and augmentation run on `device`.
torch::Tensor make_batch(const torch::Tensor& images, const torch::Tensor& index,
                         const AugmentOptions& aug, torch::Generator* gen, torch::Device device);

}  // namespace tnn
