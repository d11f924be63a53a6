// Models and their registry. Adding a model = one file in lib/nn/ + one line in
// lib/nn/registry.cpp.
#pragma once

#include "tnn/kernels/model.hpp"
#include "tnn/layers.hpp"
#include "tnn/ternarize.hpp"

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tnn {

struct ModelConfig {
  std::string arch = "resnet20";
  std::string first_layer = "ternary";  // fp | ternary: the stem conv
  std::string last_layer = "ternary";   // fp | ternary: the classifier
  QuantizerConfig quantizer;            // for every other conv / linear (and first/last if ternary)
  int64_t num_classes = 10;
  bool channels_last = true;  // 25-30 % faster CPU training with LibTorch 1.13
};

// A conv or linear layer with its ternarizer, for sparsity accounting, reports and packing.
struct QuantLayer {
  std::string name;
  torch::Tensor weight;                   // the latent weight
  std::shared_ptr<Ternarizer> quantizer;  // method "fp" for full-precision layers
  bool is_conv = true;
  int64_t macs_per_image = 0;
};

class Network : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(torch::Tensor x) = 0;
  virtual std::vector<QuantLayer> quant_layers() = 0;
  const ModelConfig& config() const { return config_; }
  // Re-runs each ternarizer's init_from_weight (TGA: delta = 0.05 max|W|), e.g. after loading
  // pretrained FP weights.
  void init_quantizers_from_weights();
  // The inference graph in the packed format (BN folded, ternary codes + scales), for `tnn pack`.
  virtual kernels::Model to_packed() = 0;

  // Batch norm as the models apply it: the module itself, or a replacement installed on the
  // network (synchronised batch norm under data parallelism, lib/dist). Models call
  // batch_norm(bn, x) instead of bn(x).
  using BatchNormFn =
      std::function<torch::Tensor(torch::nn::BatchNorm2dImpl&, const torch::Tensor&)>;
  void set_batch_norm(BatchNormFn f) { batch_norm_ = std::move(f); }
  torch::Tensor batch_norm(torch::nn::BatchNorm2d& bn, const torch::Tensor& x) {
    return batch_norm_ ? batch_norm_(*bn, x) : bn(x);
  }
  // True when every batch norm of the model goes through batch_norm() (a model whose BN sits in a
  // Sequential, or is a BatchNorm1d, cannot take the replacement: sync BN refuses it).
  virtual bool routes_batch_norm() const { return false; }

 protected:
  explicit Network(ModelConfig c) : config_(std::move(c)) {}
  ModelConfig config_;

 private:
  BatchNormFn batch_norm_;
};

struct ModelInfo {
  std::string name;
  std::string summary;
  std::function<std::shared_ptr<Network>(const ModelConfig&)> make;
};

const std::vector<ModelInfo>& model_registry();
// Builds, initialises (reference-code init, seeded by the caller via torch::manual_seed) and
// converts to channels-last if configured. `where` names the config place for errors.
std::shared_ptr<Network> make_model(const ModelConfig& config, const std::string& where = "model");

}  // namespace tnn
