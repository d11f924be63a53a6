// Ternarizers: map a full-precision ("latent") weight tensor W to an effective weight
// W_t = sum_k (scale_k * T_k), T_k in {-1, 0, +1}, with an explicit autograd backward.
//
// Each method lives in one file under lib/quant/ and is registered by one line in
// lib/quant/registry.cpp; its registry entry also says how the trainer trains it (TrainingPolicy).
// Every hidden choice of the papers and their reference code is a named parameter with a
// documented default (see docs/ternarizers.md, which also lists the reference-code quirks kept).
#pragma once

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tnn {

// One ternary term of a decomposition. Its contribution to the effective weight is
//   +scale_pos where codes == +1,  -scale_neg where codes == -1,  0 elsewhere.
// Scales have shape [1] (one per layer) or [out_channels] (per output channel).
struct TernaryTerm {
  torch::Tensor codes;      // int8, same shape as the weight, values in {-1, 0, +1}
  torch::Tensor scale_pos;  // float32, magnitude of the positive level
  torch::Tensor scale_neg;  // float32, magnitude of the negative level
  // Thresholds used (for reports): W <= threshold_lo gives -1, W >= threshold_hi gives +1, up to
  // each method's strict/non-strict choice. [1] or [C_out]; TGA centres them on mean(W).
  torch::Tensor threshold_lo;
  torch::Tensor threshold_hi;

  double zero_fraction() const;
  bool per_channel() const { return scale_pos.numel() > 1; }
};

// Sum of the terms as a float32 tensor of the weight's shape.
torch::Tensor effective_weight(const std::vector<TernaryTerm>& terms);

// A ternarizer instance belongs to one layer. It is a torch Module so that learned quantizer
// parameters (TTQ's W_p/W_n, TGA's delta) are registered, saved and optimised with the model.
class Ternarizer : public torch::nn::Module {
 public:
  // Differentiable effective weight (forward + explicit backward of the method).
  virtual torch::Tensor forward(const torch::Tensor& weight) = 0;
  // The ternary codes and scales of the current weight, without autograd.
  virtual std::vector<TernaryTerm> decompose(const torch::Tensor& weight) = 0;
  // Sets learned quantizer state from the weight it quantizes (e.g. TGA's delta =
  // 0.05 * max|W|). Called after weight init, and after loading pretrained weights when the
  // method's TrainingPolicy asks for it (never on resume).
  virtual void init_from_weight(const torch::Tensor& /*weight*/) {}
  // Number of ternary terms (residual expansion); 0 for the identity (full precision).
  virtual int terms() const { return 1; }
  // How often a Linear layer's bias is added (the REL reference code adds it once per term).
  virtual int bias_multiplier() const { return 1; }
  // Whether this ternarizer has parameters of its own (trained as its TrainingPolicy says).
  bool has_own_parameters() const { return !parameters(/*recurse=*/false).empty(); }

  const std::string& method() const { return method_; }
  const nlohmann::json& params() const { return params_; }

 protected:
  Ternarizer(std::string method, nlohmann::json params)
      : method_(std::move(method)), params_(std::move(params)) {}

 private:
  std::string method_;
  nlohmann::json params_;  // resolved: defaults merged with what the user gave
};

// One parameter a method accepts, with its default and a one-line description.
struct ParamSpec {
  std::string name;
  nlohmann::json default_value;  // null = "derived" (see doc)
  std::string doc;
};

// How the trainer trains a method (lib/train/step.cpp reads it; no code tests a method's name).
// Weights, BN and biases always go to the main optimizer (train.optimizer, train.schedule).
struct TrainingPolicy {
  // Which optimizer trains the ternarizer's own parameters (register_parameter: TTQ's W_p/W_n,
  // TGA's delta). Own buffers (LQ-Net's levels) are set by forward() in training mode instead.
  enum class OwnParameters {
    kMainOptimizer,  // with the weights, without weight decay
    kOwnOptimizer,   // train.threshold_optimizer; the weights' schedule times its lr / theirs
  };
  OwnParameters own_parameters = OwnParameters::kMainOptimizer;
  // Forward/backward passes per step with kOwnOptimizer. 1: one joint pass, both optimizers step.
  // 2: sequential (main_dc.py): a first pass with the weights frozen updates the own parameters,
  // a second pass with their new values updates the weights. train.tga_update = "joint" (a
  // config name kept for existing runs' hashes) forces 1.
  int passes_per_step = 1;
  // After pretrained weights are loaded (train.init_from): re-derive the own state from them with
  // init_from_weight() (TGA's delta, main_dc.py); otherwise it keeps its values from model init.
  bool reinit_after_loading_weights = false;
};

struct TernarizerInfo {
  std::string name;
  std::string summary;
  std::vector<ParamSpec> params;
  // Builds a ternarizer from resolved parameters (defaults merged, names and types checked);
  // `where` names the config place for errors about values.
  std::function<std::shared_ptr<Ternarizer>(const nlohmann::json& params, const std::string& where)>
      make;
  TrainingPolicy policy = {};
};

// Method configuration as written in experiment JSON: {"method": "...", "params": {...}}.
struct QuantizerConfig {
  std::string method = "fp";
  nlohmann::json params = nlohmann::json::object();
};

// All registered methods, in registration order.
const std::vector<TernarizerInfo>& ternarizer_registry();
const TernarizerInfo& find_ternarizer(const std::string& method);  // throws with the known names

// Merges defaults into `params`, rejecting unknown names and wrong JSON types. `where` names the
// place of the config (file and JSON path) for error messages.
nlohmann::json resolve_params(const TernarizerInfo& info, const nlohmann::json& params,
                              const std::string& where);

std::shared_ptr<Ternarizer> make_ternarizer(const QuantizerConfig& config,
                                            const std::string& where = "quantizer");

// Every method as Markdown: summary, training policy, parameter table (`tnn methods`, and the
// generated block of docs/ternarizers.md).
std::string ternarizers_markdown();
// Whether the method keeps quantizer state of its own (learned parameters such as TGA's delta or
// TTQ's levels, or fitted buffers such as LQ-Net's levels), judged on a default instance.
bool has_own_state(const TernarizerInfo& info);

}  // namespace tnn
