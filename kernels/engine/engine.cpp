// Engine facade: resolves the graph, picks each layer's implementation (a uniform family or
// autotuning), owns int8 calibration.
#include "executor.hpp"
#include "tune.hpp"

#include "tnn/kernels/ops.hpp"
#include "tnn/kernels/quant.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace tnn::kernels {

using engine_detail::Choices;
using engine_detail::ExecContext;
using engine_detail::Executor;
using engine_detail::Graph;
using engine_detail::Precision;

namespace {

constexpr const char* kAuto = "auto";
constexpr const char* kAutoS8 = "auto_s8";

bool is_family_of(const std::string& impl, ops::Op op) {
  const auto f = ops::families(op);
  return std::find(f.begin(), f.end(), impl) != f.end();
}

}  // namespace

std::vector<std::string> engine_impls() {
  std::vector<std::string> out = {kAuto, kAutoS8};
  for (ops::Op op : {ops::Op::kConvF32, ops::Op::kConvW2A8})
    for (const std::string& f : ops::families(op))
      if (ops::best(op, f) && std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  return out;
}

bool engine_impl_available(const std::string& impl) {
  const auto all = engine_impls();
  return std::find(all.begin(), all.end(), impl) != all.end();
}

void check_engine_impl(const std::string& impl) {
  if (engine_impl_available(impl)) return;
  std::string names;
  for (const auto& n : engine_impls()) names += (names.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown engine implementation '" + impl +
                              "' (this build and CPU: " + names + ")");
}

bool engine_impl_int8(const std::string& impl) {
  return impl == kAutoS8 || is_family_of(impl, ops::Op::kConvW2A8);
}

bool engine_impl_tuned(const std::string& impl) {
  return impl == kAuto || impl == kAutoS8;
}

bool engine_impl_reference(const std::string& impl) {
  return !engine_impl_tuned(impl) && ops::family_role(impl) == ops::Role::kReference;
}

std::string TuneReport::table() const {
  std::ostringstream o;
  char buf[64];
  auto ms = [&](double v) {
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return std::string(buf);
  };
  o << "| layer | chosen | ms | other candidates (ms) |\n|---|---|---|---|\n";
  for (const auto& l : layers) {
    double chosen_ms = -1;
    std::string others;
    for (const auto& [id, t] : l.ms) {
      if (id == l.chosen)
        chosen_ms = t;
      else
        others += (others.empty() ? "" : ", ") + id + " " + ms(t);
    }
    o << "| " << l.node << " | " << l.chosen << " | " << (chosen_ms < 0 ? "–" : ms(chosen_ms))
      << " | " << others << " |\n";
  }
  o << "\nWhole model (batch " << batch << ", " << threads << " threads): ";
  for (size_t i = 0; i < plans_ms.size(); ++i)
    o << (i ? ", " : "") << plans_ms[i].first << " " << ms(plans_ms[i].second) << " ms";
  o << "; kept: " << plan << (from_cache ? " (from the tuning cache)" : "") << "\n";
  double kept_ms = 0;
  for (const auto& [name, t] : validation_ms)
    if (name == plan) kept_ms = t;
  if (kept_ms > 0) {
    o << "Validation (fresh interleaved samples): " << plan << " " << ms(kept_ms) << " ms";
    for (const auto& [name, t] : validation_ms) {
      if (name == plan) continue;
      char ratio[32];  // not buf: ms() writes buf while the line is streamed
      std::snprintf(ratio, sizeof ratio, "%.2f", t / kept_ms);
      o << ", " << name << " " << ms(t) << " ms (" << ratio << "x the kept plan's time)";
    }
    o << "\n";
  }
  return o.str();
}

struct Engine::State {
  Model model;
  EngineOptions options;
  Graph graph;
  Precision precision = Precision::kF32;
  std::unique_ptr<Executor> exec;
  std::map<std::string, QuantParams> params;  // int8
  bool calibrated = false, self_calibrated = false;
  std::unique_ptr<TuneReport> tuning;

  // Picks the implementation of every layer (a family, or tuned) and builds the executor.
  void build(std::vector<QuantParams> qp) {
    ExecContext c = engine_detail::make_context(graph, precision, std::move(qp), options.isa);
    c.fuse_residual = options.fuse_residual;
    Choices choices;
    if (!engine_impl_tuned(options.impl)) {
      choices = engine_detail::uniform_choices(graph, c, options.impl);
    } else {
      const std::string key =
          engine_detail::tune_key(model, options.impl, options.tune_batch, options.isa);
      auto report = std::make_unique<TuneReport>();
      const bool cached =
          !options.retune && !options.tune_cache.empty() &&
          engine_detail::load_tuned(options.tune_cache, key, graph, c, &choices, report.get());
      if (!cached) {
        *report =
            engine_detail::tune(graph, c, options.tune_batch, options.tune_budget_ms, &choices);
        report->key = key;
        if (!options.tune_cache.empty()) engine_detail::save_tuned(options.tune_cache, *report);
      }
      tuning = std::move(report);
    }
    exec = std::make_unique<Executor>(graph, c, choices);
  }
};

Engine::Engine(Model model, EngineOptions options) : s_(std::make_unique<State>()) {
  check_engine_impl(options.impl);
  resolve_isa(options.isa);  // throws when the CPU lacks a requested ISA
  s_->model = std::move(model);
  s_->options = options;
  s_->graph = Graph::build(s_->model);
  s_->precision = engine_impl_int8(options.impl) ? Precision::kS8 : Precision::kF32;
  if (s_->precision == Precision::kF32) s_->build({});  // int8: after calibration
}

Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

void Engine::calibrate(const float* images, int64_t n) {
  if (s_->precision != Precision::kS8) return;
  const Graph& g = s_->graph;
  std::vector<float> lo(g.shapes.size(), 0.0f), hi(g.shapes.size(), 0.0f);
  auto observe = [&](int id, const float* data, int64_t count) {
    const auto [mn, mx] = std::minmax_element(data, data + count);
    lo[size_t(id)] = std::min(lo[size_t(id)], *mn);
    hi[size_t(id)] = std::max(hi[size_t(id)], *mx);
  };
  // Ranges from our FP32 kernels (the plain reference loops took minutes for 512 ImageNet
  // images through AlexNet); min / max do not notice float rounding.
  const ExecContext c = engine_detail::make_context(g, Precision::kF32, {}, Isa::kAuto);
  Executor fp32(g, c, engine_detail::uniform_choices(g, c, "ternary_f32"), observe);
  std::vector<float> out(size_t(n * output_size()));
  fp32.run(images, n, out.data());
  std::map<std::string, QuantParams> params;
  for (size_t id = 0; id < g.shapes.size(); ++id)
    if (!g.is_vector[id]) params[g.names[id]] = choose_quant_params(lo[id], hi[id]);
  set_activation_params(params);
}

void Engine::set_activation_params(const std::map<std::string, QuantParams>& params) {
  if (s_->precision != Precision::kS8) return;
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
  // shortcut_a copies bytes and max_pool2d picks them (max commutes with a monotone
  // quantization), so their outputs share their input's scale.
  for (const auto& op : g.ops)
    if (op.node->op == OpType::kShortcutA || op.node->op == OpType::kMaxPool2d)
      qp[size_t(op.out)] = qp[size_t(op.in[0])];
  s_->params.clear();
  for (size_t id = 0; id < qp.size(); ++id)
    if (!g.is_vector[id]) s_->params[g.names[id]] = qp[id];
  s_->build(qp);
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
  if (!s_->exec) {  // int8 without calibration: calibrate on this batch
    calibrate(images, n);
    s_->self_calibrated = true;
  }
  s_->exec->run(images, n, out);
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
const std::string& Engine::impl() const {
  return s_->options.impl;
}
int64_t Engine::input_size() const {
  return s_->graph.numel(s_->graph.input);
}
int64_t Engine::output_size() const {
  return s_->graph.numel(s_->graph.output);
}

std::vector<std::pair<std::string, std::string>> Engine::layer_impls() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (!s_->exec) return out;
  const Graph& g = s_->graph;
  for (size_t i = 0; i < g.ops.size(); ++i)
    if (g.weighted(i)) out.push_back({g.ops[i].node->name, s_->exec->choices()[i]->id()});
  return out;
}

const TuneReport* Engine::tuning() const {
  return s_->tuning.get();
}

int Engine::fused_residual_adds() const {
  return s_->exec ? s_->exec->fused_residual_adds() : 0;
}

std::string Engine::describe() const {
  const bool int8 = s_->precision == Precision::kS8;
  std::ostringstream o;
  o << s_->options.impl << ": "
    << (int8 ? "u8 activations, static per-tensor scales" : "FP32 activations") << ", CPU ISA "
    << isa_name(resolve_isa(s_->options.isa)) << "\n";
  if (!s_->exec) {
    o << "  not calibrated yet\n";
    return o.str();
  }
  o << s_->exec->describe();
  if (s_->tuning) o << s_->tuning->table();
  if (s_->self_calibrated)
    o << "  (activation scales calibrated on the first batch run; call calibrate() to choose)\n";
  return o.str();
}

}  // namespace tnn::kernels
