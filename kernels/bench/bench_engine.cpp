// Whole-model forward through the packed-model engine (resnet20_engine.json, resnet18_engine.json,
// alexnet_engine.json) on a synthetic packed ResNet (CIFAR, or ImageNet with "imagenet": true)
// or BN-AlexNet ("model": "alexnet") with realistic zero fractions, with every engine
// implementation this build
// offers (engine_impls(): the registry's conv families, and the autotuned "auto" modes, tuned
// at the benchmark's batch and thread count before timing). Each is checked once against the
// reference engine (FP32: 1e-3 of the logit range; int8: 15 %) before timing.
#include "bench_common.hpp"

#include "tnn/kernels/engine.hpp"
#include "tnn/kernels/measures.hpp"
#include "tnn/kernels/ops.hpp"
#include "tnn/kernels/synthetic.hpp"

#include <cmath>

namespace tnn::kernels::bench {

namespace {

struct EngineState {
  std::unique_ptr<Engine> engine;
  std::vector<float> images, out;
};
std::string g_key;
std::shared_ptr<EngineState> g_state;

void check_engine(Engine& e, const Model& m, const std::vector<float>& images) {
  const std::vector<float> one(images.begin(), images.begin() + e.input_size());
  const auto want = Engine(m, {"ref"}).run(one, 1);
  const auto got = e.run(one, 1);
  double range = 0, worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    range = std::max(range, double(std::fabs(want[i])));
    worst = std::max(worst, double(std::fabs(want[i] - got[i])));
  }
  const double bound = engine_impl_int8(e.impl()) ? 0.15 * range : 1e-3 * (1.0 + range);
  if (!(worst <= bound))
    throw std::runtime_error("engine " + e.impl() + ": logits differ from the reference by " +
                             std::to_string(worst) + " (bound " + std::to_string(bound) + ")");
}

}  // namespace

void register_engine(const nlohmann::json& cfg, const Options& o) {
  const int reps = cfg.value("repetitions", 1);
  SyntheticResNetOptions so;
  so.depth = cfg.value("depth", 20);
  so.zero_fraction = cfg.value("zero_fraction", 0.45);
  so.fp_first = cfg.value("fp_first", false);
  so.fp_last = cfg.value("fp_last", false);
  const bool imagenet = cfg.value("imagenet", false);
  if (imagenet) so.classes = 1000;
  const std::string arch = cfg.value("model", "resnet" + std::to_string(so.depth));
  const auto model = std::make_shared<Model>(arch == "alexnet" ? make_random_alexnet(so)
                                             : imagenet        ? make_random_resnet_imagenet(so)
                                                               : make_random_resnet_cifar(so));
  // int8 scales from this many random images (through our FP32 kernels).
  const int64_t calib_n = cfg.value("calibration_images", int64_t(32));
  const auto layers = model_sparsity(*model);
  double macs = 0;
  for (const auto& l : layers) macs += double(l.macs);
  const double sparsity = mac_weighted_zero_fraction(layers, ZeroCount::kAllTerms, false);
  const auto ref_batches = cfg.value("ref_batches", std::vector<int64_t>{});
  for (int64_t n : cfg.at("batches").get<std::vector<int64_t>>()) {
    for (const std::string& name : engine_impls()) {
      const bool reference = engine_impl_reference(name);
      if (reference && std::find(ref_batches.begin(), ref_batches.end(), n) == ref_batches.end())
        continue;
      const std::string shape = arch + "/n" + std::to_string(n);
      for (int t : o.threads) {
        add(bench_name("engine", name, shape, t), reps, [=](benchmark::State& st) {
          use_threads(t);  // before oneDNN primitives are created (they keep their partitioning)
          const std::string key = name + "/" + shape + "/t" + std::to_string(t);
          if (key != g_key) {
            g_state.reset();
            auto es = std::make_shared<EngineState>();
            EngineOptions opt(name);
            opt.tune_batch = n;  // auto modes: tuned here, at this batch and thread count
            es->engine = std::make_unique<Engine>(*model, opt);
            std::mt19937 rng(5);
            std::normal_distribution<float> nd(0.0f, 1.0f);
            std::vector<float> calib(size_t(calib_n * es->engine->input_size()));
            for (auto& v : calib) v = nd(rng);
            es->engine->calibrate(calib.data(), calib_n);
            es->images.resize(size_t(n * es->engine->input_size()));
            for (auto& v : es->images) v = nd(rng);
            es->out.resize(size_t(n * es->engine->output_size()));
            check_engine(*es->engine, *model, es->images);
            g_key = key;
            g_state = es;
          }
          auto es = g_state;
          for (auto _ : st) {
            es->engine->run(es->images.data(), n, es->out.data());
            benchmark::DoNotOptimize(es->out.data());
          }
          set_counters(st, t, n, macs * double(n), 0, sparsity);
          if (const TuneReport* r = es->engine->tuning()) {
            // Tuning's own interleaved check of the kept plan against each uniform family.
            std::string label = "plan: " + r->plan, kept;
            double kept_ms = 0;
            for (const auto& [plan, ms] : r->validation_ms)
              if (plan == r->plan) kept_ms = ms;
            for (const auto& [plan, ms] : r->validation_ms)
              if (plan != r->plan && kept_ms > 0)
                label += "; " + plan + "/kept " + std::to_string(ms / kept_ms).substr(0, 4);
            st.SetLabel(label);
          }
        });
      }
    }
    if (o.quick) break;
  }
}

}  // namespace tnn::kernels::bench
