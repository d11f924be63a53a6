// The ResNet-20 conv stack (resnet20_stack.json): its 19 convs back to back in each
// implementation's native layout, every layer consuming the previous layer's output.
#include "bench_common.hpp"
#include "conv_runners.hpp"

#include "tnn/kernels/layout.hpp"

namespace tnn::kernels::bench {

namespace {

struct StackState {
  std::vector<std::unique_ptr<ConvRunner>> layers;
  std::vector<AlignedBuffer<uint8_t>> buffers;  // layers + 1
  double macs = 0, weight_bytes = 0;
};
std::string g_key;
std::shared_ptr<StackState> g_state;

}  // namespace

void register_stack(const nlohmann::json& cfg, const nlohmann::json& layer_cfg, const Options& o) {
  const int reps = cfg.value("repetitions", 1);
  const double zeros = cfg.value("zero_fraction", 0.45);
  const std::string model = cfg.value("model", "");
  // Expand the distinct layers by their count, in network order.
  std::vector<ConvShape> shapes;
  for (const auto& l : layer_cfg.at("layers"))
    for (int i = 0; i < l.value("count", 1); ++i) {
      ConvShape s;
      s.c = l.at("c"), s.k = l.at("k"), s.h = l.at("h"), s.w = l.at("w");
      s.kh = s.kw = l.at("kernel");
      s.stride = l.at("stride");
      s.pad = l.at("pad");
      shapes.push_back(s);
    }
  for (int64_t n : cfg.at("batches").get<std::vector<int64_t>>()) {
    for (const std::string impl : cfg.at("impls")) {
      if (!impl_available(impl)) continue;
      const std::string shape = model + "-convs/n" + std::to_string(n);
      for (int t : o.threads) {
        add(bench_name("stack", impl, shape, t), reps, [=](benchmark::State& st) {
          use_threads(t);  // before oneDNN primitives are created (they keep their partitioning)
          const std::string key = impl + "/" + shape + "/t" + std::to_string(t);
          if (key != g_key) {
            g_state.reset();
            auto ss = std::make_shared<StackState>();
            uint32_t seed = 500;
            for (ConvShape s : shapes) {
              s.n = n;
              ss->layers.push_back(
                  make_conv_runner(impl, s, random_conv_weights(s, zeros, ++seed)));
              ss->macs += double(s.macs());
              ss->weight_bytes += ss->layers.back()->weight_bytes;
            }
            ss->buffers.emplace_back(ss->layers[0]->input_bytes());
            std::mt19937 rng(9);
            ss->layers[0]->fill_input(ss->buffers[0].data(), rng);
            for (const auto& l : ss->layers) {
              ss->buffers.emplace_back(l->output_bytes());
              l->init_output(ss->buffers.back().data());
            }
            g_key = key;
            g_state = ss;
          }
          auto ss = g_state;
          for (auto _ : st) {
            for (size_t i = 0; i < ss->layers.size(); ++i)
              ss->layers[i]->run(ss->buffers[i].data(), ss->buffers[i + 1].data());
            benchmark::ClobberMemory();
          }
          set_counters(st, t, n, ss->macs, ss->weight_bytes, zeros);
          st.counters["layers"] = double(ss->layers.size());
          st.SetLabel(ss->layers[1]->label);
        });
      }
    }
    if (o.quick) break;
  }
}

}  // namespace tnn::kernels::bench
