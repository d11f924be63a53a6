// tnn tune: per-layer autotuning of a packed model on this machine (the engine's auto modes):
// every registered implementation that supports a layer is timed on it, the fastest kept, the
// whole model checked against each uniform family; the choices are cached per machine in
// MODEL.tune.json, which `tnn infer --impl auto` reads.
#include "commands.hpp"
#include "infer_common.hpp"

#include "tnn/kernels/engine.hpp"
#include "tnn/kernels/machine.hpp"

#include <cstdio>
#include <memory>

namespace tnn::cli {

void add_tune(CLI::App& app) {
  struct Args {
    std::string model, impl = "auto", cache, data;
    int64_t batch = 1, calibration = 512;
    bool retune = true;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "tune",
      "time every kernel per layer of a packed model on this machine and cache the fastest");
  cmd->add_option("--model", a->model, "packed model (tnn pack)")->required();
  cmd->add_option(
      "--impl", a->impl,
      "auto (FP32 activations, default) | auto_s8 (int8, needs CIFAR-10 for calibration)");
  cmd->add_option("--batch", a->batch, "batch the layers are timed at (default 1)");
  cmd->add_option("--cache", a->cache, "tuning cache to update (default MODEL.tune.json)");
  cmd->add_option("--retune", a->retune,
                  "time again even when the cache has an entry (default true)");
  cmd->add_option("--data", a->data, "auto_s8: CIFAR-10 binary folder (training images calibrate)");
  cmd->add_option("--calibration", a->calibration, "auto_s8: calibration images (default 512)");
  cmd->callback([a] {
    if (!kernels::engine_impl_tuned(a->impl))
      throw std::runtime_error("--impl must be auto or auto_s8, not " + a->impl);
    kernels::EngineOptions opt(a->impl);
    opt.tune_cache = a->cache.empty() ? a->model + ".tune.json" : a->cache;
    opt.tune_batch = a->batch;
    opt.retune = a->retune;
    std::printf("machine %s, load average %s; busy: %s\n", kernels::machine_slug().c_str(),
                kernels::load_average().c_str(),
                kernels::describe_busy(kernels::busy_processes()).c_str());
    kernels::Engine engine(kernels::read_model(a->model), opt);
    if (kernels::engine_impl_int8(a->impl)) {
      auto data = load_cifar10(resolve_cifar10_dir(a->data), a->calibration, 0);
      auto calib = nhwc_images(data.train_images.narrow(0, 0, a->calibration));
      engine.calibrate(calib.data(), a->calibration);  // tunes with the calibrated scales
    }
    const auto* t = engine.tuning();
    if (!t) throw std::runtime_error("no tuning report");
    std::printf("%s\n%s", t->key.c_str(), t->table().c_str());
    std::printf("cached in %s\n", opt.tune_cache.c_str());
  });
}

}  // namespace tnn::cli
