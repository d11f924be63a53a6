// Whole-model forward through the packed-model engine (resnet20_engine.json) on a synthetic
// packed ResNet with realistic zero fractions.
#include "bench_common.hpp"

#include "tnn/kernels/engine.hpp"
#include "tnn/kernels/measures.hpp"
#include "tnn/kernels/synthetic.hpp"

namespace tnn::kernels::bench {

namespace {

struct EngineState {
  std::unique_ptr<Engine> engine;
  std::vector<float> images, out;
};
std::string g_key;
std::shared_ptr<EngineState> g_state;

}  // namespace

void register_engine(const nlohmann::json& cfg, const Options& o) {
  const int reps = cfg.value("repetitions", 1);
  SyntheticResNetOptions so;
  so.depth = cfg.value("depth", 20);
  so.zero_fraction = cfg.value("zero_fraction", 0.45);
  const auto model = std::make_shared<Model>(make_random_resnet_cifar(so));
  const auto layers = model_sparsity(*model);
  double macs = 0;
  for (const auto& l : layers) macs += double(l.macs);
  const double sparsity = mac_weighted_zero_fraction(layers, ZeroCount::kAllTerms, false);
  const auto ref_batches = cfg.value("ref_batches", std::vector<int64_t>{});
  for (int64_t n : cfg.at("batches").get<std::vector<int64_t>>()) {
    for (const std::string name : cfg.at("impls")) {
      const EngineImpl impl = engine_impl_from_name(name);
      if (!engine_impl_available(impl)) continue;
      if (impl == EngineImpl::kRef &&
          std::find(ref_batches.begin(), ref_batches.end(), n) == ref_batches.end())
        continue;
      const std::string shape = "resnet" + std::to_string(so.depth) + "/n" + std::to_string(n);
      for (int t : o.threads) {
        add(bench_name("engine", name, shape, t), reps, [=](benchmark::State& st) {
          use_threads(t);  // before oneDNN primitives are created (they keep their partitioning)
          const std::string key = name + "/" + shape + "/t" + std::to_string(t);
          if (key != g_key) {
            g_state.reset();
            auto es = std::make_shared<EngineState>();
            es->engine = std::make_unique<Engine>(*model, EngineOptions{impl, Isa::kAuto});
            std::mt19937 rng(5);
            std::normal_distribution<float> nd(0.0f, 1.0f);
            std::vector<float> calib(size_t(32 * es->engine->input_size()));
            for (auto& v : calib) v = nd(rng);
            es->engine->calibrate(calib.data(), 32);
            es->images.resize(size_t(n * es->engine->input_size()));
            for (auto& v : es->images) v = nd(rng);
            es->out.resize(size_t(n * es->engine->output_size()));
            g_key = key;
            g_state = es;
          }
          auto es = g_state;
          for (auto _ : st) {
            es->engine->run(es->images.data(), n, es->out.data());
            benchmark::DoNotOptimize(es->out.data());
          }
          set_counters(st, t, n, macs * double(n), 0, sparsity);
        });
      }
    }
    if (o.quick) break;
  }
}

}  // namespace tnn::kernels::bench
