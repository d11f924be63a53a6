// Shared pieces of the ternarizers: decomposition arithmetic and parameter checks.
#include "methods.hpp"

#include <algorithm>
#include <stdexcept>

namespace tnn {

double TernaryTerm::zero_fraction() const {
  if (codes.numel() == 0) return 0.0;
  return codes.eq(0).sum().item<double>() / static_cast<double>(codes.numel());
}

torch::Tensor effective_weight(const std::vector<TernaryTerm>& terms) {
  if (terms.empty()) throw std::invalid_argument("effective_weight: no ternary terms");
  // zeros_like keeps the codes' device and memory format (channels-last weights stay so).
  torch::Tensor sum = torch::zeros_like(terms[0].codes, torch::kFloat);
  for (const auto& t : terms) {
    auto pos = quant::broadcast_per_channel(t.scale_pos, t.codes);
    auto neg = quant::broadcast_per_channel(t.scale_neg, t.codes);
    sum += t.codes.gt(0) * pos - t.codes.lt(0) * neg;
  }
  return sum;
}

namespace quant {

std::string param_choice(const nlohmann::json& params, const std::string& name,
                         const std::vector<std::string>& choices, const std::string& where) {
  const auto& v = params.at(name);
  std::string joined;
  for (const auto& c : choices) joined += (joined.empty() ? "" : ", ") + c;
  if (!v.is_string() ||
      std::find(choices.begin(), choices.end(), v.get<std::string>()) == choices.end())
    throw std::invalid_argument(where + "." + name + ": expected one of {" + joined + "}, got " +
                                v.dump());
  return v.get<std::string>();
}

double param_number(const nlohmann::json& params, const std::string& name, double lo, double hi,
                    const std::string& where) {
  const auto& v = params.at(name);
  if (!v.is_number())
    throw std::invalid_argument(where + "." + name + ": expected a number, got " + v.dump());
  double x = v.get<double>();
  if (!(x >= lo && x <= hi))
    throw std::invalid_argument(where + "." + name + ": expected a value in [" +
                                std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                                v.dump());
  return x;
}

torch::Tensor broadcast_per_channel(const torch::Tensor& per_channel, const torch::Tensor& weight) {
  if (per_channel.numel() == 1) return per_channel.reshape({});
  std::vector<int64_t> shape(static_cast<size_t>(weight.dim()), 1);
  shape[0] = per_channel.numel();
  return per_channel.reshape(shape);
}

}  // namespace quant
}  // namespace tnn
