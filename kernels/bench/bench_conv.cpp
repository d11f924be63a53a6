// Single conv layers (resnet20_convs.json, resnet18_convs.json): every distinct layer at the
// configured batches, with every conv implementation of the registry (best ISA variant per
// family) in its native layout, ReLU fused; each checked once against the reference.
#include "bench_common.hpp"
#include "op_runner.hpp"

namespace tnn::kernels::bench {

namespace {

ConvShape layer_shape(const nlohmann::json& l, int64_t n) {
  ConvShape s;
  s.n = n;
  s.c = l.at("c");
  s.k = l.at("k");
  s.h = l.at("h");
  s.w = l.at("w");
  s.kh = s.kw = l.at("kernel");
  s.stride = l.at("stride");
  s.pad = l.at("pad");
  return s;
}

// A layer's runner and buffers, shared by the thread-count variants of one benchmark group.
struct LayerState {
  std::unique_ptr<OpRunner> runner;
  AlignedBuffer<uint8_t> in, out;
};
std::string g_key;
std::shared_ptr<LayerState> g_state;

}  // namespace

void register_conv(const nlohmann::json& cfg, const Options& o) {
  const int reps = cfg.value("repetitions", 1);
  const double zeros = cfg.value("zero_fraction", 0.45);
  const std::string model = cfg.value("model", "");
  const auto ref_batches = cfg.value("ref_batches", std::vector<int64_t>{});
  uint32_t seed = 100;
  for (const auto& l : cfg.at("layers")) {
    ++seed;
    for (int64_t n : cfg.at("batches").get<std::vector<int64_t>>()) {
      const ConvShape s = layer_shape(l, n);
      const bool with_ref =
          std::find(ref_batches.begin(), ref_batches.end(), n) != ref_batches.end();
      for (ops::Op op : {ops::Op::kConvF32, ops::Op::kConvW2A8}) {
        for (const ops::Impl* impl : bench_impls(op, with_ref)) {
          const std::string shape = model + "." + l.at("name").get<std::string>() + "/" + s.str();
          for (int t : o.threads) {
            add(bench_name("conv", impl->name, shape, t), reps, [=](benchmark::State& st) {
              // oneDNN fixes its thread partitioning when a primitive is created: build the
              // state under the thread count it is timed with.
              use_threads(t);
              const std::string key = impl->id() + "/" + shape + "/t" + std::to_string(t);
              if (key != g_key) {
                g_state.reset();
                auto ls = std::make_shared<LayerState>();
                ls->runner = std::make_unique<OpRunner>(
                    *impl, conv_problem(op, s), random_weights(s.k, s.patch(), zeros, seed));
                std::mt19937 rng(seed);
                ls->in = ls->runner->input(rng);
                ls->out = ls->runner->output();
                ls->runner->run(ls->in.data(), ls->out.data());
                ls->runner->check(ls->in.data(), ls->out.data());  // once, before timing
                g_key = key;
                g_state = ls;
              }
              auto ls = g_state;
              for (auto _ : st) {
                ls->runner->run(ls->in.data(), ls->out.data());
                benchmark::ClobberMemory();
              }
              set_counters(st, t, n, double(s.macs()), double(ls->runner->kernel->weight_bytes()),
                           zeros);
              st.counters["layers"] = l.value("count", 1);
              st.SetLabel(impl->isa + ": " + ls->runner->kernel->describe());
            });
          }
        }
      }
    }
    if (o.quick) break;
  }
}

}  // namespace tnn::kernels::bench
