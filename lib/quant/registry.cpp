// The ternarizer registry: one line per method. Adding a method = one file in lib/quant/ that
// defines `<name>_info()` + one line here (and its declaration in methods.hpp).
#include "methods.hpp"

#include <sstream>
#include <stdexcept>

namespace tnn {

const std::vector<TernarizerInfo>& ternarizer_registry() {
  static const std::vector<TernarizerInfo> registry = {
      quant::fp_info(),      // identity (full precision)
      quant::wacv19_info(),  // He, Gong, Fan, WACV'19 (+ residual expansion)
      quant::twn_info(),     // Li & Liu, TWN
      quant::ttq_info(),     // Zhu et al., TTQ
      quant::tga_info(),     // He & Fan, CVPR'19 (truncated Gaussian approximation)
  };
  return registry;
}

const TernarizerInfo& find_ternarizer(const std::string& method) {
  std::ostringstream known;
  for (const auto& info : ternarizer_registry()) {
    if (info.name == method) return info;
    known << (known.tellp() > 0 ? ", " : "") << info.name;
  }
  throw std::invalid_argument("unknown ternarization method '" + method + "' (known: " +
                              known.str() + ")");
}

namespace {
bool same_json_kind(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number() && b.is_number()) return true;
  return a.type() == b.type();
}
}  // namespace

nlohmann::json resolve_params(const TernarizerInfo& info, const nlohmann::json& params,
                              const std::string& where) {
  if (!params.is_null() && !params.is_object())
    throw std::invalid_argument(where + ": expected an object of parameters for method '" +
                                info.name + "', got " + params.dump());
  nlohmann::json resolved = nlohmann::json::object();
  for (const auto& spec : info.params) resolved[spec.name] = spec.default_value;
  if (params.is_null()) return resolved;
  for (const auto& [name, value] : params.items()) {
    const ParamSpec* spec = nullptr;
    for (const auto& s : info.params)
      if (s.name == name) spec = &s;
    if (spec == nullptr) {
      std::string known;
      for (const auto& s : info.params) known += (known.empty() ? "" : ", ") + s.name;
      throw std::invalid_argument(where + "." + name + ": unknown parameter for method '" +
                                  info.name + "' (known: " + (known.empty() ? "none" : known) +
                                  ")");
    }
    // A null default means "derived unless given": any non-null value of the documented kind.
    if (!value.is_null() && !spec->default_value.is_null() &&
        !same_json_kind(value, spec->default_value))
      throw std::invalid_argument(where + "." + name + ": expected a " +
                                  spec->default_value.type_name() + " like " +
                                  spec->default_value.dump() + ", got " + value.dump());
    resolved[name] = value;
  }
  return resolved;
}

std::shared_ptr<Ternarizer> make_ternarizer(const QuantizerConfig& config,
                                            const std::string& where) {
  const TernarizerInfo& info = find_ternarizer(config.method);
  return info.make(resolve_params(info, config.params, where + ".params"), where + ".params");
}

}  // namespace tnn
