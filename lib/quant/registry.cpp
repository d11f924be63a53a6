// The ternarizer registry. Adding a method = one file lib/quant/<name>.cpp defining
// quant::<name>_info() (lib/CMakeLists.txt compiles every file of lib/quant/) + one line in
// TNN_TERNARIZERS below. Every list of methods (CLI help, bench-train, tests, docs tables, plots)
// comes from here, in this order.
#include "methods.hpp"

#include <sstream>
#include <stdexcept>

#define TNN_TERNARIZERS(X)                                              \
  X(fp)            /* identity (full precision) */                      \
  X(wacv19)        /* He, Gong, Fan, WACV'19 (+ residual expansion) */  \
  X(twn)           /* Li & Liu, TWN */                                  \
  X(ttq)           /* Zhu et al., TTQ */                                \
  X(tga)           /* He & Fan, CVPR'19 (truncated Gaussian approx.) */ \
  X(lqnet_ternary) /* Zhang et al., LQ-Net, levels restricted to ternary */

namespace tnn {

namespace quant {
#define TNN_DECLARE_INFO(name) TernarizerInfo name##_info();
TNN_TERNARIZERS(TNN_DECLARE_INFO)
#undef TNN_DECLARE_INFO
}  // namespace quant

const std::vector<TernarizerInfo>& ternarizer_registry() {
#define TNN_INFO(name) quant::name##_info(),
  static const std::vector<TernarizerInfo> registry = {TNN_TERNARIZERS(TNN_INFO)};
#undef TNN_INFO
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
