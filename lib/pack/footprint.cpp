#include "tnn/pack.hpp"

namespace tnn {

std::vector<kernels::LayerFootprint> model_footprint(Network& net) {
  std::vector<kernels::LayerFootprint> out;
  for (auto& l : net.quant_layers()) {
    kernels::LayerFootprint f;
    f.name = l.name;
    f.weights = l.weight.numel();
    f.terms = l.quantizer->terms();
    if (f.terms > 0) {
      auto t = l.quantizer->decompose(l.weight)[0];
      bool asymmetric = !torch::equal(t.scale_pos, t.scale_neg);
      f.scales = t.scale_pos.numel() * (asymmetric ? 2 : 1);
    }
    out.push_back(f);
  }
  // Everything else that is stored: BN gamma/beta (running stats fold into the same two values
  // per channel) and biases. Quantizer parameters (delta, W_p/W_n) are already in the scales.
  kernels::LayerFootprint rest;
  rest.name = "bn_and_bias";
  for (const auto& p : net.named_parameters())
    if (p.value().dim() == 1 && p.key().find("quantizer.") == std::string::npos) rest.extra_fp32 += p.value().numel();
  out.push_back(rest);
  return out;
}

nlohmann::json footprint_report(Network& net) {
  auto layers = model_footprint(net);
  auto total = kernels::sum_footprints(layers);
  nlohmann::json r;
  r["layers"] = nlohmann::json::array();
  for (const auto& l : layers) {
    if (l.weights == 0) continue;
    r["layers"].push_back({{"name", l.name}, {"weights", l.weights}, {"terms", l.terms}, {"scales", l.scales},
                           {"bits_per_weight", l.bits_per_weight()}, {"compression", l.compression()}});
  }
  r["weights"] = total.weights;
  r["weight_bits"] = total.weight_bits;
  r["extra_fp32_values"] = total.extra_fp32;
  r["bits_per_weight"] = total.bits_per_weight();
  r["weight_compression"] = total.weight_compression();
  r["total_compression"] = total.total_compression();
  return r;
}

}  // namespace tnn
