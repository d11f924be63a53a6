// Runs a packed model (model.hpp) on a batch of NHWC float images with one of four
// implementations. The graph is the same for all of them; only the kernels and the activation
// layout change:
//
//   ref          NHWC float, reference kernels (the oracle).
//   ternary_f32  planar float layout (layout.hpp), zero-skipping ternary convs, table-lookup
//                ternary linear; dense FP32 layers through the same conv kernel.
//   ternary_s8   W2A8: activations quantized to u8 per tensor with scales from calibration
//                (static; see calibrate()), padded NHWC u8 layout, VNNI convs that requantize
//                in their epilogue. Dense FP32 convs run in FP32 between a dequantize and a
//                quantize; the classifier input is quantized dynamically (per batch).
//   onednn_f32   NHWC float, ternary weights expanded to dense FP32 with the folded BN inside
//                the weights and bias, oneDNN 2.6 convs with fused ReLU (needs TNN_HAVE_ONEDNN).
#pragma once

#include "tnn/kernels/isa.hpp"
#include "tnn/kernels/model.hpp"
#include "tnn/kernels/types.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tnn::kernels {

enum class EngineImpl { kRef, kTernaryF32, kTernaryS8, kOnednnF32 };
const char* engine_impl_name(EngineImpl impl);
EngineImpl engine_impl_from_name(const std::string& name);  // throws std::invalid_argument
bool engine_impl_available(EngineImpl impl);                // onednn_f32 needs oneDNN

struct EngineOptions {
  EngineImpl impl = EngineImpl::kTernaryF32;
  Isa isa = Isa::kAuto;  // ternary_f32 / ternary_s8 kernels
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

  // ternary_s8: per-tensor activation scales from the min/max the reference path sees on these
  // images. Without a call, the first run() calibrates on its own batch (and says so in
  // describe()). No effect for the other implementations.
  void calibrate(const float* images, int64_t n);
  // ternary_s8: use these per-tensor parameters (tensor name -> params; every non-vector tensor
  // of the graph must be present), e.g. scales stored with the model.
  void set_activation_params(const std::map<std::string, QuantParams>& params);
  bool calibrated() const;
  const std::map<std::string, QuantParams>& activation_params() const;

  const Model& model() const;
  EngineImpl impl() const;
  int64_t input_size() const;    // floats per image
  int64_t output_size() const;   // floats per image
  std::string describe() const;  // one line per node: kernel, layout, weight bytes

  struct Backend;  // implementation interface (engine/backend.hpp)

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace tnn::kernels
