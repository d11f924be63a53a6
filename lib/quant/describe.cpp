// The registry as documentation: `tnn methods` and the generated block of docs/ternarizers.md
// (a unit test keeps that block equal to this output).
#include "methods.hpp"

#include <sstream>

namespace tnn {

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
