// Per-layer autotuning: time every candidate kernel of each conv / linear node, then check the
// greedy per-layer plan against the uniform families on the whole model.
#include "tune.hpp"

#include "tnn/kernels/machine.hpp"

#include <omp.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <sstream>

namespace tnn::kernels::engine_detail {

namespace {

using ops::DType;
using ops::Layout;

// Median wall time of f() in ms: one warm-up call, then repeated calls until `budget_ms` has
// passed (at least min_reps, at most max_reps).
double median_ms(const std::function<void()>& f, double budget_ms, int min_reps = 3,
                 int max_reps = 200) {
  using clock = std::chrono::steady_clock;
  f();
  std::vector<double> t;
  const auto start = clock::now();
  while (int(t.size()) < max_reps) {
    const auto t0 = clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
    const double spent = std::chrono::duration<double, std::milli>(clock::now() - start).count();
    if (int(t.size()) >= min_reps && spent >= budget_ms) break;
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// A buffer of n images in layout l holding random activations (padding as init_buffer makes it).
AlignedBuffer<uint8_t> random_buffer(const Layout& l, int64_t n, uint8_t fill, std::mt19937& rng) {
  const Layout flat = Layout::nhwc(l.dtype, l.h, l.w, l.c);
  AlignedBuffer<uint8_t> src(flat.buffer_bytes(n)), out(l.buffer_bytes(n));
  if (l.dtype == DType::kF32) {
    std::uniform_real_distribution<float> u(0.0f, 2.0f);
    auto* p = reinterpret_cast<float*>(src.data());
    for (int64_t i = 0; i < flat.buffer_elements(n); ++i) p[i] = u(rng);
  } else {
    for (size_t i = 0; i < src.size(); ++i) src[i] = uint8_t(rng() % 200);
  }
  ops::init_buffer(l, out.data(), n, fill);
  ops::convert(flat, src.data(), l, out.data(), n);
  return out;
}

std::string fingerprint(const Model& m) {
  const auto bytes = serialize_model(m);
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (uint8_t b : bytes) {
    h ^= b;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// Every executor's median wall time per run, timed in interleaved rounds (each once per round)
// rather than one after the other, so that a change in the machine's load while timing (other
// tenants, a build) biases none of them. At least 5 rounds, then until `total_ms` has passed.
std::vector<double> interleaved_medians(const std::vector<std::unique_ptr<Executor>>& exs,
                                        const float* images, int64_t batch, float* out,
                                        double total_ms) {
  using clock = std::chrono::steady_clock;
  for (auto& ex : exs) ex->run(images, batch, out);  // warm-up
  std::vector<std::vector<double>> times(exs.size());
  const auto start = clock::now();
  for (int round = 0; round < 500; ++round) {
    for (size_t p = 0; p < exs.size(); ++p) {
      const auto t0 = clock::now();
      exs[p]->run(images, batch, out);
      times[p].push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
    }
    const double spent = std::chrono::duration<double, std::milli>(clock::now() - start).count();
    if (round >= 4 && spent >= total_ms) break;
  }
  std::vector<double> medians;
  for (auto& t : times) {
    std::sort(t.begin(), t.end());
    medians.push_back(t[t.size() / 2]);
  }
  return medians;
}

}  // namespace

TuneReport tune(const Graph& g, const ExecContext& c, int64_t batch, double budget_ms,
                Choices* choices) {
  const bool s8 = c.precision == Precision::kS8;
  TuneReport r;
  r.batch = batch;
  r.threads = omp_get_max_threads();
  std::mt19937 rng(17);
  // Home layouts as the greedy plan fixes them (FP32: what each chosen producer writes).
  std::vector<Layout> homes(g.shapes.size());
  for (size_t id = 0; id < g.shapes.size(); ++id) {
    const TensorShape& s = g.shapes[id];
    homes[id] = g.is_vector[id] ? Layout::nhwc(DType::kF32, 1, 1, s.c)
                : s8            ? Layout::padded_u8(s.h, s.w, s.c, c.border[id])
                                : Layout::nhwc(DType::kF32, s.h, s.w, s.c);
  }
  Choices greedy(g.ops.size(), nullptr);
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const auto& op = g.ops[i];
    const Node& node = *op.node;
    if (!g.weighted(i)) {
      if (!s8 && !g.is_vector[size_t(op.out)]) {  // shortcut / add keep the input's kind
        const TensorShape& os = g.shapes[size_t(op.out)];
        homes[size_t(op.out)] = homes[size_t(op.in[0])].kind == ops::LayoutKind::kPlanar
                                    ? Layout::planar(os.h, os.w, os.c)
                                    : Layout::nhwc(DType::kF32, os.h, os.w, os.c);
      }
      continue;
    }
    const ops::Op kind = node_op(g, i, c.precision);
    const ops::Problem p = node_problem(g, i, c, batch);
    TuneReport::Layer layer;
    layer.node = node.name;
    double best = 0;
    const Layout in_home = homes[size_t(op.in[0])];
    for (const ops::Impl* impl : ops::impls(kind)) {
      if (impl->role == ops::Role::kReference || !impl->runs_here() || !impl->supports(p, nullptr))
        continue;
      const Isa isa = ops::isa_of(impl->isa);
      if (c.isa != Isa::kAuto && isa != Isa::kAuto && isa != c.isa) continue;
      std::unique_ptr<ops::Kernel> k = impl->prepare(p);
      const Layout li = input_fetch_layout(g, i, k->input_layout()), lo = k->output_layout();
      const uint8_t zp_in = uint8_t(c.qp[size_t(op.in[0])].zero_point);
      const uint8_t zp_out = uint8_t(c.qp[size_t(op.out)].zero_point);
      auto in = random_buffer(li, batch, zp_in, rng);
      AlignedBuffer<uint8_t> out(lo.buffer_bytes(batch));
      ops::init_buffer(lo, out.data(), batch, zp_out);
      QuantParams q{0.05f, 0};
      ops::RunArgs a{in.data(), nullptr, out.data(), batch, p.dynamic_input_quant ? &q : nullptr};
      double ms = median_ms([&] { k->run(a); }, budget_ms);
      // Converting the input from its producer's layout (and an int8 output back into the
      // padded home) costs a pass over the tensor: count it against this candidate.
      if (li != in_home && !(p.dynamic_input_quant && li.dtype == DType::kU8) &&
          li.dtype == in_home.dtype) {
        auto src = random_buffer(in_home, batch, zp_in, rng);
        AlignedBuffer<uint8_t> dst(li.buffer_bytes(batch));
        ops::init_buffer(li, dst.data(), batch, zp_in);
        ms += median_ms([&] { ops::convert(in_home, src.data(), li, dst.data(), batch); },
                        budget_ms / 4);
      }
      if (s8 && !g.is_vector[size_t(op.out)] && lo != homes[size_t(op.out)] &&
          lo.dtype == homes[size_t(op.out)].dtype) {
        const Layout& ho = homes[size_t(op.out)];
        AlignedBuffer<uint8_t> dst(ho.buffer_bytes(batch));
        ms +=
            median_ms([&] { ops::convert(lo, out.data(), ho, dst.data(), batch); }, budget_ms / 4);
      }
      layer.ms.push_back({impl->id(), ms});
      if (!greedy[i] || ms < best) {
        greedy[i] = impl;
        best = ms;
      }
    }
    if (!greedy[i])
      throw std::runtime_error("tune: no implementation runs node " + node.name + " here");
    layer.chosen = greedy[i]->id();
    if (!s8 && !g.is_vector[size_t(op.out)])
      homes[size_t(op.out)] = greedy[i]->prepare(p)->output_layout();
    r.layers.push_back(std::move(layer));
  }

  // Whole model: the greedy plan against every uniform family of the precision.
  std::vector<std::pair<std::string, Choices>> plans = {{"per-layer", greedy}};
  const ops::Op conv_op = s8 ? ops::Op::kConvW2A8 : ops::Op::kConvF32;
  for (const std::string& f : ops::families(conv_op)) {
    if (ops::family_role(f) == ops::Role::kReference || !ops::best(conv_op, f, c.isa)) continue;
    try {
      plans.push_back({"all " + f, uniform_choices(g, c, f)});
    } catch (const std::exception&) {
      // a family that cannot run some node here is simply not a candidate plan
    }
  }
  const TensorShape& is = g.shapes[size_t(g.input)];
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> images(size_t(batch * is.h * is.w * is.c));
  for (auto& v : images) v = nd(rng);
  std::vector<float> out(size_t(batch * g.numel(g.output)));
  std::vector<std::unique_ptr<Executor>> exs;
  for (const auto& plan : plans) exs.push_back(std::make_unique<Executor>(g, c, plan.second));
  const double total_ms = 15 * budget_ms * double(plans.size());
  const std::vector<double> ms =
      interleaved_medians(exs, images.data(), batch, out.data(), total_ms);
  size_t kept = 0;
  for (size_t p = 0; p < plans.size(); ++p) {
    r.plans_ms.push_back({plans[p].first, ms[p]});
    if (ms[p] < ms[kept]) kept = p;
  }
  r.plan = plans[kept].first;
  *choices = plans[kept].second;
  // The kept plan won on the samples that chose it (a minimum of noisy medians favours it):
  // fresh interleaved samples say how it compares with every uniform plan, oneDNN's included.
  const std::vector<double> again =
      interleaved_medians(exs, images.data(), batch, out.data(), total_ms);
  for (size_t p = 0; p < plans.size(); ++p) r.validation_ms.push_back({plans[p].first, again[p]});
  // Layers record what the kept plan runs.
  for (size_t i = 0, l = 0; i < g.ops.size(); ++i)
    if (g.weighted(i)) r.layers[l++].chosen = (*choices)[i]->id();
  return r;
}

std::string tune_key(const Model& m, const std::string& mode, int64_t batch, Isa isa) {
  std::string key = machine_slug() + "/" + m.name + "-" + fingerprint(m) + "/" + mode + "/n" +
                    std::to_string(batch) + "/t" + std::to_string(omp_get_max_threads());
  if (isa != Isa::kAuto) key += "/" + std::string(isa_name(isa));
  return key;
}

bool load_tuned(const std::string& path, const std::string& key, const Graph& g,
                const ExecContext& c, Choices* choices, TuneReport* report) {
  std::ifstream f(path);
  if (!f) return false;
  const auto doc = nlohmann::json::parse(f, nullptr, false);
  if (!doc.is_object() || !doc.contains("entries") || !doc["entries"].contains(key)) return false;
  const auto& e = doc["entries"][key];
  Choices out(g.ops.size(), nullptr);
  TuneReport r;
  r.key = key;
  r.from_cache = true;
  r.batch = e.value("batch", int64_t(1));
  r.threads = e.value("threads", 1);
  r.plan = e.value("plan", std::string());
  const auto plans = e.value("plans_ms", nlohmann::json::object());
  for (const auto& [name, ms] : plans.items()) r.plans_ms.push_back({name, ms.get<double>()});
  const auto validation = e.value("validation_ms", nlohmann::json::object());
  for (const auto& [name, ms] : validation.items())
    r.validation_ms.push_back({name, ms.get<double>()});
  const auto layers = e.value("layers", nlohmann::json::object());
  for (size_t i = 0; i < g.ops.size(); ++i) {
    if (!g.weighted(i)) continue;
    const std::string& name = g.ops[i].node->name;
    if (!layers.contains(name)) return false;
    const ops::Impl* impl = ops::find(layers[name].value("chosen", std::string()));
    if (!impl || !impl->runs_here() || impl->op != node_op(g, i, c.precision) ||
        !impl->supports(node_problem(g, i, c, 1), nullptr))
      return false;
    out[i] = impl;
    TuneReport::Layer l;
    l.node = name;
    l.chosen = impl->id();
    const auto times = layers[name].value("ms", nlohmann::json::object());
    for (const auto& [id, ms] : times.items()) l.ms.push_back({id, ms.get<double>()});
    r.layers.push_back(l);
  }
  *choices = out;
  *report = r;
  return true;
}

void save_tuned(const std::string& path, const TuneReport& r) {
  nlohmann::json doc = nlohmann::json::object();
  {
    std::ifstream f(path);
    if (f) doc = nlohmann::json::parse(f, nullptr, false);
    if (!doc.is_object()) doc = nlohmann::json::object();
  }
  nlohmann::json e = {{"batch", r.batch}, {"threads", r.threads}, {"plan", r.plan}};
  for (const auto& [name, ms] : r.plans_ms) e["plans_ms"][name] = ms;
  for (const auto& [name, ms] : r.validation_ms) e["validation_ms"][name] = ms;
  for (const auto& l : r.layers) {
    e["layers"][l.node]["chosen"] = l.chosen;
    for (const auto& [id, ms] : l.ms) e["layers"][l.node]["ms"][id] = ms;
  }
  doc["entries"][r.key] = e;
  const std::string text = doc.dump(1) + "\n";
  write_bytes_atomic(path, text.data(), text.size());
}

}  // namespace tnn::kernels::engine_detail
