// What a result records about a network's weights ("footprint" and "sparsity" in result.json):
// the network is packed and measured with the kernels' measures (tnn/kernels/measures.hpp), so
// the training side, `tnn pack` and `tnn infer` share one definition of each number.
#include "tnn/pack.hpp"

#include "tnn/kernels/measures.hpp"

#include <map>

namespace tnn {

namespace {

// The packed form of `net`; packing switches to eval mode, the caller's mode is restored.
kernels::Model packed(Network& net) {
  const bool training = net.is_training();
  kernels::Model m = pack_network(net, nlohmann::json::object());
  if (training) net.train();
  return m;
}

nlohmann::json number_or_null(double v, bool defined) {
  return defined ? nlohmann::json(v) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json footprint_report(Network& net) {
  const auto layers = kernels::model_footprint(packed(net));
  const auto total = kernels::sum_footprints(layers);
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
  std::map<std::string, std::string> method_of;
  for (const auto& l : net.quant_layers()) method_of[l.name] = l.quantizer->method();
  const auto layers = kernels::model_sparsity(packed(net));
  nlohmann::json out = nlohmann::json::array();
  bool any_ternary = false;
  for (const auto& l : layers) {
    nlohmann::json j = {{"name", l.name}, {"macs_per_image", l.macs}};
    if (method_of.count(l.name)) j["method"] = method_of[l.name];
    j["zero_fraction_first_term"] = number_or_null(l.zeros_first_term, l.ternary);
    j["zero_fraction_all_terms"] = number_or_null(l.zeros_all_terms, l.ternary);
    if (l.ternary) j["zero_fraction_per_term"] = l.zeros_per_term;
    any_ternary = any_ternary || l.ternary;
    out.push_back(j);
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
