// Engine facade: resolves the graph, picks the backend, owns ternary_s8 calibration.
#include "backend.hpp"

#include "tnn/kernels/quant.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace tnn::kernels {

using engine_detail::Backend;
using engine_detail::Graph;

const char* engine_impl_name(EngineImpl impl) {
  switch (impl) {
    case EngineImpl::kRef:
      return "ref";
    case EngineImpl::kTernaryF32:
      return "ternary_f32";
    case EngineImpl::kTernaryS8:
      return "ternary_s8";
    case EngineImpl::kOnednnF32:
      return "onednn_f32";
  }
  return "?";
}

EngineImpl engine_impl_from_name(const std::string& name) {
  for (EngineImpl i :
       {EngineImpl::kRef, EngineImpl::kTernaryF32, EngineImpl::kTernaryS8, EngineImpl::kOnednnF32})
    if (name == engine_impl_name(i)) return i;
  throw std::invalid_argument("unknown engine implementation '" + name +
                              "' (expected ref, ternary_f32, ternary_s8, onednn_f32)");
}

bool engine_impl_available(EngineImpl impl) {
#ifdef TNN_HAVE_ONEDNN
  (void)impl;
  return true;
#else
  return impl != EngineImpl::kOnednnF32;
#endif
}

struct Engine::State {
  Model model;
  EngineOptions options;
  Graph graph;
  std::unique_ptr<engine_detail::Backend> backend;
  std::map<std::string, QuantParams> params;  // ternary_s8
  bool calibrated = false, self_calibrated = false;
};

Engine::Engine(Model model, EngineOptions options) : s_(std::make_unique<State>()) {
  s_->model = std::move(model);
  s_->options = options;
  s_->graph = Graph::build(s_->model);
  switch (options.impl) {
    case EngineImpl::kRef:
      s_->backend = engine_detail::make_ref_backend(s_->graph);
      break;
    case EngineImpl::kTernaryF32:
      s_->backend = engine_detail::make_f32_backend(s_->graph, options.isa);
      break;
    case EngineImpl::kTernaryS8:
      resolve_isa(options.isa);
      break;  // built after calibration
    case EngineImpl::kOnednnF32:
      s_->backend = engine_detail::make_onednn_backend(s_->graph);
      break;
  }
}

Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

void Engine::calibrate(const float* images, int64_t n) {
  if (s_->options.impl != EngineImpl::kTernaryS8) return;
  const Graph& g = s_->graph;
  std::vector<float> lo(g.shapes.size(), 0.0f), hi(g.shapes.size(), 0.0f);
  auto observe = [&](int id, const float* data, int64_t count) {
    const auto [mn, mx] = std::minmax_element(data, data + count);
    lo[size_t(id)] = std::min(lo[size_t(id)], *mn);
    hi[size_t(id)] = std::max(hi[size_t(id)], *mx);
  };
  auto ref = engine_detail::make_ref_backend(g, observe);
  std::vector<float> out(size_t(n * output_size()));
  ref->run(images, n, out.data());
  std::map<std::string, QuantParams> params;
  for (size_t id = 0; id < g.shapes.size(); ++id)
    if (!g.is_vector[id]) params[g.names[id]] = choose_quant_params(lo[id], hi[id]);
  set_activation_params(params);
}

void Engine::set_activation_params(const std::map<std::string, QuantParams>& params) {
  if (s_->options.impl != EngineImpl::kTernaryS8) return;
  const Graph& g = s_->graph;
  std::vector<QuantParams> qp(g.shapes.size());
  for (size_t id = 0; id < qp.size(); ++id) {
    if (g.is_vector[id]) continue;
    auto it = params.find(g.names[id]);
    if (it == params.end())
      throw std::invalid_argument("set_activation_params: no parameters for tensor '" +
                                  g.names[id] + "'");
    if (!(it->second.scale > 0.0f) || it->second.zero_point < 0 || it->second.zero_point > 255)
      throw std::invalid_argument("set_activation_params: bad parameters for '" + g.names[id] +
                                  "'");
    qp[id] = it->second;
  }
  // shortcut_a copies bytes, so its output shares its input's scale.
  for (const auto& op : g.ops)
    if (op.node->op == OpType::kShortcutA) qp[size_t(op.out)] = qp[size_t(op.in[0])];
  s_->params.clear();
  for (size_t id = 0; id < qp.size(); ++id)
    if (!g.is_vector[id]) s_->params[g.names[id]] = qp[id];
  s_->backend = engine_detail::make_s8_backend(g, s_->options.isa, qp);
  s_->calibrated = true;
}

bool Engine::calibrated() const {
  return s_->calibrated;
}
const std::map<std::string, QuantParams>& Engine::activation_params() const {
  return s_->params;
}

void Engine::run(const float* images, int64_t n, float* out) {
  if (n < 1) throw std::invalid_argument("Engine::run: batch must be positive");
  if (!s_->backend) {  // ternary_s8 without calibration: calibrate on this batch
    calibrate(images, n);
    s_->self_calibrated = true;
  }
  s_->backend->run(images, n, out);
}

std::vector<float> Engine::run(const std::vector<float>& images, int64_t n) {
  if (int64_t(images.size()) != n * input_size())
    throw std::invalid_argument("Engine::run: expected " + std::to_string(n * input_size()) +
                                " floats for " + std::to_string(n) + " images");
  std::vector<float> out(size_t(n * output_size()));
  run(images.data(), n, out.data());
  return out;
}

const Model& Engine::model() const {
  return s_->model;
}
EngineImpl Engine::impl() const {
  return s_->options.impl;
}
int64_t Engine::input_size() const {
  return s_->graph.numel(s_->graph.input);
}
int64_t Engine::output_size() const {
  return s_->graph.numel(s_->graph.output);
}

std::string Engine::describe() const {
  std::string d =
      s_->backend ? s_->backend->describe() : std::string("ternary_s8: not calibrated yet\n");
  if (s_->self_calibrated)
    d += "  (activation scales calibrated on the first batch run; call calibrate() to choose)\n";
  return d;
}

}  // namespace tnn::kernels
