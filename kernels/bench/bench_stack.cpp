// Conv stacks (resnet20_stack.json, resnet18_stack.json): a network's convs back to back in each
// conv implementation's native layout, every layer consuming the previous layer's output; each
// layer checked once against the reference before timing. Unlike the per-layer suite, which
// repeats one layer, a stack shows what a kernel costs when the layers change under the branch
// predictor and the caches, as in a real inference.
#include "bench_common.hpp"
#include "op_runner.hpp"

namespace tnn::kernels::bench {

namespace {

struct StackState {
  std::vector<std::unique_ptr<OpRunner>> layers;
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
    for (ops::Op op : {ops::Op::kConvF32, ops::Op::kConvW2A8}) {
      for (const ops::Impl* impl : bench_impls(op, false)) {
        const std::string shape = model + "-convs/n" + std::to_string(n);
        for (int t : o.threads) {
          add(bench_name("stack", impl->name, shape, t), reps, [=](benchmark::State& st) {
            use_threads(t);  // before oneDNN primitives are created (they keep their partitioning)
            const std::string key = impl->id() + "/" + shape + "/t" + std::to_string(t);
            if (key != g_key) {
              g_state.reset();
              auto ss = std::make_shared<StackState>();
              uint32_t seed = 500;
              for (ConvShape s : shapes) {
                s.n = n;
                ss->layers.push_back(std::make_unique<OpRunner>(
                    *impl, conv_problem(op, s), random_weights(s.k, s.patch(), zeros, ++seed)));
                ss->macs += double(s.macs());
                ss->weight_bytes += double(ss->layers.back()->kernel->weight_bytes());
              }
              std::mt19937 rng(9);
              ss->buffers.push_back(ss->layers[0]->input(rng));
              for (size_t i = 0; i < ss->layers.size(); ++i) {
                if (i > 0 && ss->layers[i]->kernel->input_layout() !=
                                 ss->layers[i - 1]->kernel->output_layout())
                  throw std::runtime_error(impl->id() + ": layer " + std::to_string(i) +
                                           " reads another layout than its predecessor writes");
                ss->buffers.push_back(ss->layers[i]->output());
              }
              for (size_t i = 0; i < ss->layers.size(); ++i) {  // once, checked, before timing
                ss->layers[i]->run(ss->buffers[i].data(), ss->buffers[i + 1].data());
                ss->layers[i]->check(ss->buffers[i].data(), ss->buffers[i + 1].data());
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
            st.SetLabel(impl->isa + ": " + ss->layers[1]->kernel->describe());
          });
        }
      }
    }
    if (o.quick) break;
  }
}

}  // namespace tnn::kernels::bench
