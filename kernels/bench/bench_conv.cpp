// Single conv layers (resnet20_convs.json, resnet18_convs.json): every distinct layer at the
// configured batches, each implementation in its native layout, ReLU fused.
#include "bench_common.hpp"
#include "conv_runners.hpp"

#include "tnn/kernels/layout.hpp"

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
  std::unique_ptr<ConvRunner> runner;
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
      for (const std::string impl : cfg.at("impls")) {
        if (!impl_available(impl)) continue;
        if (impl == "ref" &&
            std::find(ref_batches.begin(), ref_batches.end(), n) == ref_batches.end())
          continue;
        const std::string shape = model + "." + l.at("name").get<std::string>() + "/" + s.str();
        for (int t : o.threads) {
          add(bench_name("conv", impl, shape, t), reps, [=](benchmark::State& st) {
            // oneDNN fixes its thread partitioning when a primitive is created: build the
            // state under the thread count it is timed with.
            use_threads(t);
            const std::string key = impl + "/" + shape + "/t" + std::to_string(t);
            if (key != g_key) {
              g_state.reset();
              auto ls = std::make_shared<LayerState>();
              ls->runner = make_conv_runner(impl, s, random_conv_weights(s, zeros, seed));
              ls->in.resize(ls->runner->input_bytes());
              ls->out.resize(ls->runner->output_bytes());
              std::mt19937 rng(seed);
              ls->runner->fill_input(ls->in.data(), rng);
              ls->runner->init_output(ls->out.data());
              g_key = key;
              g_state = ls;
            }
            auto ls = g_state;
            for (auto _ : st) {
              ls->runner->run(ls->in.data(), ls->out.data());
              benchmark::ClobberMemory();
            }
            set_counters(st, t, n, double(s.macs()), ls->runner->weight_bytes, zeros);
            st.counters["layers"] = l.value("count", 1);
            st.SetLabel(ls->runner->label);
          });
        }
      }
    }
    if (o.quick) break;
  }
}

}  // namespace tnn::kernels::bench
