// What a result records about a network's weights ("footprint" and "sparsity" in result.json):
// each conv/linear layer is packed as `tnn pack` packs it (packed_weights) and measured with the
// kernels' measures (tnn/kernels/measures.hpp), so the training side, `tnn pack` and `tnn infer`
// share one definition of each number. Layer by layer rather than through to_packed(): the
// measures need no inference graph, and models the packed engine cannot run yet (the ImageNet
// ResNets: no max-pool node) are measured too.
#include "tnn/pack.hpp"

#include "tnn/kernels/measures.hpp"

namespace tnn {

namespace {

nlohmann::json number_or_null(double v, bool defined) {
  return defined ? nlohmann::json(v) : nlohmann::json(nullptr);
}

// The first term's threshold as the half-width of its zero band (TGA: the clipped delta; a
// per-channel method: the mean over channels), and relative to the layer's weight spread.
nlohmann::json threshold_of(const QuantLayer& l) {
  torch::NoGradGuard ng;
  if (l.quantizer->terms() == 0) return nullptr;
  const auto t0 = l.quantizer->decompose(l.weight)[0];
  if (!t0.threshold_lo.defined() || !t0.threshold_hi.defined()) return nullptr;
  const double half_width = ((t0.threshold_hi - t0.threshold_lo) * 0.5).mean().item<double>();
  const double sigma = l.weight.numel() > 1 ? l.weight.std().item<double>() : 0.0;
  return {{"threshold", half_width},
          {"weight_std", sigma},
          {"threshold_over_std", number_or_null(sigma > 0 ? half_width / sigma : 0.0, sigma > 0)}};
}

// FP32 values stored beside the conv/linear weights: BN scale and shift (the running statistics
// fold into the same two values per channel) and biases. The ternarizers' own parameters (TGA's
// delta, TTQ's levels) are already counted as the layers' scales.
int64_t extra_fp32_values(Network& net) {
  int64_t n = 0;
  for (const auto& p : net.named_parameters())
    if (p.value().dim() == 1 && p.key().find("quantizer.") == std::string::npos)
      n += p.value().numel();
  return n;
}

}  // namespace

nlohmann::json footprint_report(Network& net) {
  std::vector<kernels::LayerFootprint> layers;
  for (auto& l : net.quant_layers())
    layers.push_back(kernels::layer_footprint(l.name, packed_weights(l.weight, *l.quantizer)));
  auto total = kernels::sum_footprints(layers);
  total.extra_fp32 = extra_fp32_values(net);
  nlohmann::json r;
  r["layers"] = nlohmann::json::array();
  for (const auto& l : layers)
    r["layers"].push_back({{"name", l.name},
                           {"weights", l.weights},
                           {"terms", l.terms},
                           {"scales", l.scales},
                           {"bits_per_weight", l.bits_per_weight()},
                           {"compression", l.compression()}});
  r["weights"] = total.weights;
  r["weight_bits"] = total.weight_bits;
  r["extra_fp32_values"] = total.extra_fp32;  // folded BN (2 per channel) and biases
  r["bits_per_weight"] = total.bits_per_weight();
  r["weight_compression"] = total.weight_compression();
  r["total_compression"] = total.total_compression();
  return r;
}

nlohmann::json sparsity_report(Network& net) {
  using kernels::ZeroCount;
  std::vector<kernels::LayerSparsity> layers;
  nlohmann::json out = nlohmann::json::array();
  bool any_ternary = false;
  for (auto& q : net.quant_layers()) {
    const auto w = packed_weights(q.weight, *q.quantizer);
    kernels::LayerSparsity l;
    l.name = q.name;
    l.macs = q.macs_per_image;
    l.ternary = w.ternary;
    if (l.ternary) {
      l.zeros_per_term = kernels::zero_fraction_per_term(w.tern);
      l.zeros_first_term = kernels::zero_fraction_first_term(w.tern);
      l.zeros_all_terms = kernels::zero_fraction_all_terms(w.tern);
    }
    nlohmann::json j = {
        {"name", l.name}, {"method", q.quantizer->method()}, {"macs_per_image", l.macs}};
    const auto threshold = threshold_of(q);
    if (!threshold.is_null()) j.update(threshold);
    j["zero_fraction_first_term"] = number_or_null(l.zeros_first_term, l.ternary);
    j["zero_fraction_all_terms"] = number_or_null(l.zeros_all_terms, l.ternary);
    if (l.ternary) j["zero_fraction_per_term"] = l.zeros_per_term;
    any_ternary = any_ternary || l.ternary;
    out.push_back(j);
    layers.push_back(std::move(l));
  }
  nlohmann::json r;
  r["layers"] = out;
  // Over the ternary layers only (null for a full-precision network).
  for (ZeroCount which : {ZeroCount::kFirstTerm, ZeroCount::kAllTerms})
    r[std::string("mac_weighted_zero_fraction_") + kernels::zero_count_name(which)] =
        number_or_null(kernels::mac_weighted_zero_fraction(layers, which, true), any_ternary);
  return r;
}

nlohmann::json mac_weighted_zeros(const nlohmann::json& result, kernels::ZeroCount which) {
  if (!result.contains("sparsity")) return nullptr;
  const auto& s = result["sparsity"];
  const std::string key =
      std::string("mac_weighted_zero_fraction_") + kernels::zero_count_name(which);
  if (s.contains(key)) return s[key];
  // Results written before the two measures had distinct names: the first term's, under this name.
  if (which == kernels::ZeroCount::kFirstTerm && s.contains("mac_weighted_zero_fraction"))
    return s["mac_weighted_zero_fraction"];
  return nullptr;
}

}  // namespace tnn
