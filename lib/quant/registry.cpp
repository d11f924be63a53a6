// The ternarizer registry. Adding a method = one file lib/quant/<name>.cpp defining
// quant::<name>_info() (lib/CMakeLists.txt compiles every file of lib/quant/) + one line in
// TNN_TERNARIZERS below. Every list of methods (CLI help, bench-train, tests, docs tables, plots)
// comes from here, in this order. The registry as documentation (`tnn methods`, the generated
// block of docs/ternarizers.md, which a unit test keeps equal to it) is at the end of this file
// (one LibTorch TU less to compile).
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
  throw std::invalid_argument("unknown ternarization method '" + method +
                              "' (known: " + known.str() + ")");
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

// ---- the registry as documentation ----
namespace {

std::string names(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& n : v) s += (s.empty() ? "`" : ", `") + n + "`";
  return s;
}

std::shared_ptr<Ternarizer> default_instance(const TernarizerInfo& info) {
  return info.make(resolve_params(info, nlohmann::json::object(), info.name), info.name);
}

// What the trainer does with a method (its TrainingPolicy and the state of a default instance).
std::string training_text(const TernarizerInfo& info) {
  const auto q = default_instance(info);
  std::vector<std::string> params, buffers;
  for (const auto& p : q->named_parameters(/*recurse=*/false)) params.push_back(p.key());
  for (const auto& b : q->named_buffers(/*recurse=*/false)) buffers.push_back(b.key());
  const TrainingPolicy& p = info.policy;
  std::string s;
  if (!params.empty())
    s += "learned parameters " + names(params) + " in " +
         (p.own_parameters == TrainingPolicy::OwnParameters::kOwnOptimizer
              ? "an optimizer of their own (`train.threshold_optimizer`, on the weights' schedule)"
              : "the main optimizer, without weight decay") +
         "; ";
  if (!buffers.empty()) s += "state " + names(buffers) + " set by training forward passes; ";
  if (params.empty() && buffers.empty()) s += "no state of its own; ";
  s += p.passes_per_step == 2 ? "two passes per step (its parameters first, then the weights)"
                              : "one pass per step";
  if (!params.empty() || !buffers.empty())
    s += p.reinit_after_loading_weights ? "; re-derived from pretrained weights (`train.init_from`)"
                                        : "; kept when pretrained weights are loaded";
  return s;
}

std::string cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

}  // namespace

bool has_own_state(const TernarizerInfo& info) {
  const auto q = default_instance(info);
  return !q->named_parameters(/*recurse=*/false).is_empty() ||
         !q->named_buffers(/*recurse=*/false).is_empty();
}

std::string ternarizers_markdown() {
  std::ostringstream md;
  for (const auto& info : ternarizer_registry()) {
    md << "### `" << info.name << "`\n\n" << info.summary << ".\n\n";
    md << "Training: " << training_text(info) << ".\n\n";
    if (info.params.empty()) {
      md << "No parameters.\n\n";
      continue;
    }
    md << "| parameter | default | meaning |\n|---|---|---|\n";
    for (const auto& p : info.params)
      md << "| `" << p.name << "` | "
         << (p.default_value.is_null() ? "derived" : "`" + p.default_value.dump() + "`") << " | "
         << cell(p.doc) << " |\n";
    md << "\n";
  }
  return md.str();
}

}  // namespace tnn
