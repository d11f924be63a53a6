// Runs a packed model (model.hpp) on a batch of NHWC float images. Every conv / linear node runs
// a kernel of the operation registry (ops.hpp); the engine implementation says which:
//
//   a family name  every layer with that family's best variant on this CPU, e.g.
//                  ref          NHWC float, reference kernels (the oracle)
//                  ternary_f32  zero-skipping ternary convs on the planar layout, LUT linear
//                  onednn_f32   oneDNN convs on dense FP32 weights (folded BN inside them)
//                  ternary_s8   W2A8: u8 activations, one static scale per tensor (calibrate()),
//                               VNNI convs that requantize in their epilogue
//                  (engine_impls() lists what this build and CPU offer.) A layer the family
//                  cannot run (e.g. a dense FP32 stem under ternary_s8) takes the first kernel
//                  of its op that can, ternary ones first.
//   auto           FP32 activations, per-layer autotuning: every registered implementation that
//                  supports a layer (ternary kernels of every ISA, oneDNN) is timed on it and the
//                  fastest taken; the whole model is then timed against each uniform family and
//                  the fastest plan kept, so it is never slower than the best single family
//                  (within timing noise). Choices are cached per machine (tune_cache).
//   auto_s8        the same among the int8 implementations (after calibration).
//
// Activation layouts follow the chosen kernels; tensors are converted where two of them differ.
#pragma once

#include "tnn/kernels/isa.hpp"
#include "tnn/kernels/model.hpp"
#include "tnn/kernels/types.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tnn::kernels {

// "auto", "auto_s8", then the families of conv_f32 and conv_w2a8 that run here.
std::vector<std::string> engine_impls();
bool engine_impl_available(const std::string& impl);
// Throws std::invalid_argument naming the choices when `impl` is not one of engine_impls().
void check_engine_impl(const std::string& impl);
bool engine_impl_int8(const std::string& impl);       // u8 activations: needs calibration
bool engine_impl_tuned(const std::string& impl);      // auto, auto_s8
bool engine_impl_reference(const std::string& impl);  // ref, ref_s8: the oracles (slow)

struct EngineOptions {
  EngineOptions() = default;
  EngineOptions(std::string implementation, Isa cpu_isa = Isa::kAuto)  // NOLINT: {"ref"} reads well
      : impl(std::move(implementation)), isa(cpu_isa) {}
  std::string impl = "ternary_f32";
  Isa isa = Isa::kAuto;        // CPU ISA of the chosen families' kernels (kAuto: best, TNN_ISA)
  std::string tune_cache;      // auto modes: JSON file of tuned choices, read and updated
  int64_t tune_batch = 1;      // auto modes: the batch the layers are timed at
  bool retune = false;         // auto modes: ignore a cached entry
  double tune_budget_ms = 20;  // auto modes: timing per candidate kernel (whole model: 15x)
  // FP32 graphs: fold each ResNet block's add (and its ReLU) into the block's second conv where
  // that conv's implementation can (ternary_f32, onednn_f32); false keeps separate add steps.
  bool fuse_residual = true;
};

// What per-layer autotuning measured and chose (auto modes).
struct TuneReport {
  struct Layer {
    std::string node, chosen;                        // chosen: impl id (op/name/isa)
    std::vector<std::pair<std::string, double>> ms;  // every candidate: impl id, median ms
  };
  std::string key;  // machine / model / mode / batch / threads of the cache entry
  bool from_cache = false;
  int64_t batch = 1;
  int threads = 1;
  std::vector<Layer> layers;
  std::vector<std::pair<std::string, double>> plans_ms;  // whole model: plan name, median ms
  std::string plan;                                      // the plan kept
  // The same plans timed again on fresh interleaved samples after the choice (unbiased by it).
  std::vector<std::pair<std::string, double>> validation_ms;
  std::string table() const;  // Markdown, one row per layer
};

class Engine {
 public:
  Engine(Model model, EngineOptions options = {});
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;

  // images: n x H x W x C floats; out: n x output_size() floats.
  void run(const float* images, int64_t n, float* out);
  std::vector<float> run(const std::vector<float>& images, int64_t n);

  // int8 implementations: per-tensor activation scales from the min/max the reference path
  // sees on these images. Without a call, the first run() calibrates on its own batch (and says
  // so in describe()). No effect for the FP32 implementations.
  void calibrate(const float* images, int64_t n);
  // int8 implementations: use these per-tensor parameters (tensor name -> params; every
  // non-vector tensor of the graph must be present), e.g. scales stored with the model.
  void set_activation_params(const std::map<std::string, QuantParams>& params);
  bool calibrated() const;
  const std::map<std::string, QuantParams>& activation_params() const;

  const Model& model() const;
  const std::string& impl() const;
  int64_t input_size() const;    // floats per image
  int64_t output_size() const;   // floats per image
  std::string describe() const;  // one line per node: implementation, kernel, weight bytes
  // Per conv / linear node: the implementation id it runs (empty before int8 calibration).
  std::vector<std::pair<std::string, std::string>> layer_impls() const;
  // Residual adds folded into the conv before them (EngineOptions::fuse_residual).
  int fused_residual_adds() const;
  const TuneReport* tuning() const;  // auto modes, once tuned

  struct State;

 private:
  std::unique_ptr<State> s_;
};

}  // namespace tnn::kernels
