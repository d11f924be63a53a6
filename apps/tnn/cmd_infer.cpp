// tnn infer: run a packed model on the CIFAR-10 test set with any engine implementation (the
// registry's families, or per-layer autotuning): top-1, agreement with the checkpoint's
// LibTorch predictions, latency at batch 1 and 128, and the implementation each layer ran.
// ImageNet models (tnn pack of an ImageNet experiment) are evaluated on the val/ split of an
// ImageNet folder (--data or TNN_IMAGENET_DIR): top-1, top-5, agreement, latency; without a
// folder, and for other input sizes, latency and agreement on random images only.
#include "commands.hpp"
#include "infer_common.hpp"

#include "tnn/dataset.hpp"
#include "tnn/fileio.hpp"
#include "tnn/imagedata.hpp"
#include "tnn/kernels/engine.hpp"
#include "tnn/kernels/machine.hpp"
#include "tnn/kernels/measures.hpp"
#include "tnn/runtime.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace tnn::cli {

namespace {
double median_ms(kernels::Engine& e, const float* images, int64_t n, int reps) {
  std::vector<float> out(size_t(n * e.output_size()));
  e.run(images, n, out.data());  // warm-up
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    e.run(images, n, out.data());
    t.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// What every run reports: the model's sparsity, the implementation of each layer, the tuning.
void describe(kernels::Engine& engine, const std::string& impl, const std::string& tune_cache,
              nlohmann::json& out) {
  // What zero-skipping could buy at most on this model: MAC-weighted zeros and the Amdahl bound.
  auto layers = kernels::model_sparsity(engine.model());
  // Over the ternary layers; "all terms" is what the kernels skip, "first term" the papers'
  // figure.
  using kernels::ZeroCount;
  out["sparsity"] = {{"mac_weighted_zero_fraction_all_terms",
                      kernels::mac_weighted_zero_fraction(layers, ZeroCount::kAllTerms, true)},
                     {"mac_weighted_zero_fraction_first_term",
                      kernels::mac_weighted_zero_fraction(layers, ZeroCount::kFirstTerm, true)},
                     {"ideal_model_speedup", kernels::ideal_model_speedup(layers)}};
  for (const auto& l : layers)
    out["sparsity"]["layers"].push_back({{"name", l.name},
                                         {"macs", l.macs},
                                         {"ternary", l.ternary},
                                         {"zero_fraction_first_term", l.zeros_first_term},
                                         {"zero_fraction_all_terms", l.zeros_all_terms}});
  std::printf("implementation per layer (%s):\n", impl.c_str());
  for (const auto& [layer, li] : engine.layer_impls()) {
    std::printf("  %-24s %s\n", layer.c_str(), li.c_str());
    out["layers"].push_back({{"name", layer}, {"impl", li}});
  }
  std::printf("residual adds fused into the conv before them: %d\n", engine.fused_residual_adds());
  out["fused_residual_adds"] = engine.fused_residual_adds();
  if (const auto* t = engine.tuning()) {
    std::printf("%s", t->table().c_str());
    out["tuning"] = {
        {"key", t->key}, {"plan", t->plan}, {"from_cache", t->from_cache}, {"cache", tune_cache}};
    for (const auto& [plan, ms] : t->plans_ms) out["tuning"]["plans_ms"][plan] = ms;
    for (const auto& [plan, ms] : t->validation_ms) out["tuning"]["validation_ms"][plan] = ms;
  }
}

// Median latency at batch 1 and at `big` (images holds at least `big`), with what else ran.
void latency(kernels::Engine& engine, const float* images, int64_t big, int big_reps,
             nlohmann::json& out) {
  // What else ran while timing: recorded, never paused (see ci/engine-eval.sh).
  out["machine"] = {{"slug", kernels::machine_slug()},
                    {"load_average", kernels::load_average()},
                    {"busy_processes", kernels::describe_busy(kernels::busy_processes())}};
  const double b1 = median_ms(engine, images, 1, 200);
  const double bn = median_ms(engine, images, big, big_reps);
  std::printf("latency (median, %d threads): batch 1 %.3f ms, batch %lld %.2f ms (%.0f img/s)\n",
              torch::get_num_threads(), b1, (long long)big, bn, double(big) / bn * 1000);
  out["latency_ms"] = {{"batch1", b1}, {"batch" + std::to_string(big), bn}};
}

// Models that do not take CIFAR-10 images: latency, layers and sparsity on random N(0, 1)
// images (int8 calibrated on them too: latency is representative, accuracy would not be);
// with a checkpoint, the engine's logits against LibTorch's on the same images.
void latency_only(const kernels::Model& m, kernels::Engine& engine, const std::string& impl,
                  const std::string& tune_cache, const std::string& checkpoint, bool timed,
                  nlohmann::json& out) {
  const int64_t n = 16;
  const auto x = torch::randn({n, m.in_c, m.in_h, m.in_w});
  const std::vector<float> images = nhwc_floats(x);
  out["inputs"] = "random N(0,1) images: no accuracy (tnn infer evaluates CIFAR-10 models only)";
  std::printf("%s takes %lldx%lldx%lld images: latency on random images, no accuracy\n",
              out["model"].get<std::string>().c_str(), (long long)m.in_h, (long long)m.in_w,
              (long long)m.in_c);
  if (kernels::engine_impl_int8(impl)) {
    engine.calibrate(images.data(), n);
    out["calibration_images"] = "16 random images";
  }
  describe(engine, impl, tune_cache, out);
  if (!checkpoint.empty()) {
    const torch::Tensor want = eval_logits(*load_network(checkpoint), x);
    auto got = engine.run(images, n);
    const auto g = torch::from_blob(got.data(), want.sizes(), torch::kFloat);
    const double diff = (g - want).abs().max().item<double>();
    const double agree =
        100.0 * g.argmax(1).eq(want.argmax(1)).to(torch::kDouble).mean().item<double>();
    std::printf(
        "against the LibTorch checkpoint on the random images: max |logit diff| %.2e, "
        "same prediction %.1f %%\n",
        diff, agree);
    out["max_logit_diff_vs_checkpoint"] = diff;
    out["agreement_with_checkpoint"] = agree;
  }
  if (timed) latency(engine, images.data(), n, 10, out);
}

// An ImageNet model on the val/ split of `dir`: top-1 and top-5 through the engine, with
// LibTorch's predictions on the same batches when a checkpoint is given; int8 scales from the
// first training batches (never the val split); latency on the first val images.
void imagenet_eval(const kernels::Model& m, kernels::Engine& engine, const std::string& impl,
                   const std::string& tune_cache, const std::string& dir, int64_t limit,
                   int64_t calibration, const std::string& checkpoint, bool timed,
                   nlohmann::json& out) {
  nlohmann::json cfg = {{"data", m.metadata.at("data")}, {"model", {{"channels_last", false}}}};
  const int64_t crop = cfg["data"].value("crop_size", int64_t(224));
  if (crop != m.in_h || crop != m.in_w)
    throw std::invalid_argument("infer: the model's metadata.data.crop_size is " +
                                std::to_string(crop) + ", its input " + std::to_string(m.in_h) +
                                "x" + std::to_string(m.in_w) + " (re-pack it with this tnn)");
  cfg["data"]["test_limit"] = limit;
  cfg["data"]["augment"] = false;
  auto src = open_imagenet(cfg, dir, torch::kCPU);
  out["dataset"] = src->identity();
  const int64_t batch = 32;
  if (kernels::engine_impl_int8(impl)) {
    std::vector<float> calib;
    auto train = src->train_epoch(0, 0, batch);
    Batch b;
    while (int64_t(calib.size()) < calibration * engine.input_size() && train->next(b)) {
      const auto v = nhwc_floats(b.x);
      calib.insert(calib.end(), v.begin(), v.end());
    }
    const int64_t nc = std::min<int64_t>(calibration, int64_t(calib.size()) / engine.input_size());
    engine.calibrate(calib.data(), nc);
    out["calibration_images"] = nc;
  }
  describe(engine, impl, tune_cache, out);
  std::shared_ptr<Network> net = checkpoint.empty() ? nullptr : load_network(checkpoint);
  int64_t n = 0, top1 = 0, top5 = 0, same = 0, net_top1 = 0;
  std::vector<float> first;
  auto val = src->test_batches(batch);
  Batch b;
  while (val->next(b)) {
    const auto images = nhwc_floats(b.x);
    if (first.empty()) first = images;
    const int64_t len = b.x.size(0);
    auto logits = engine.run(images, len);
    const auto t = torch::from_blob(logits.data(), {len, engine.output_size()}, torch::kFloat);
    const auto k5 = std::get<1>(t.topk(std::min<int64_t>(5, t.size(1)), 1));
    const auto hit = k5.eq(b.y.unsqueeze(1));
    top1 += hit.select(1, 0).sum().item<int64_t>();
    top5 += hit.any(1).sum().item<int64_t>();
    if (net) {
      const auto ref = eval_logits(*net, b.x).argmax(1);
      same += ref.eq(t.argmax(1)).sum().item<int64_t>();
      net_top1 += ref.eq(b.y).sum().item<int64_t>();
    }
    n += len;
  }
  if (n == 0) throw std::runtime_error("infer: no val image in " + dir);
  out["test_images"] = n;
  out["top1"] = 100.0 * double(top1) / double(n);
  out["top5"] = 100.0 * double(top5) / double(n);
  std::printf("%s, %s, %lld val images of %s: top-1 %.2f %%, top-5 %.2f %%\n",
              out["model"].get<std::string>().c_str(), impl.c_str(), (long long)n,
              src->identity().value("label", "ImageNet").c_str(), out["top1"].get<double>(),
              out["top5"].get<double>());
  if (net) {
    out["agreement_with_checkpoint"] = 100.0 * double(same) / double(n);
    out["checkpoint_top1"] = 100.0 * double(net_top1) / double(n);
    std::printf(
        "same prediction as the LibTorch checkpoint on %.3f %% of images (checkpoint "
        "top-1 %.2f %%)\n",
        out["agreement_with_checkpoint"].get<double>(), out["checkpoint_top1"].get<double>());
  }
  if (timed) latency(engine, first.data(), std::min<int64_t>(16, n), 10, out);
}
}  // namespace

void add_infer(CLI::App& app) {
  struct Args {
    std::string model, impl = "ternary_f32", data, checkpoint, out, tune_cache;
    int64_t limit = 0, calibration = 512, tune_batch = 1;
    double min_agreement = 0;
    bool latency = true, list_impls = false, fuse_residual = true;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "infer",
      "run a packed .tnn model on the CIFAR-10 test set (top-1, latency; other input sizes: "
      "latency on random images)");
  cmd->add_option("--model", a->model, "packed model (tnn pack)");
  cmd->add_flag(
      "--list-impls", a->list_impls,
      "print the implementations this build and CPU offer (references excepted) and exit");
  std::string impls;
  for (const auto& i : kernels::engine_impls()) impls += (impls.empty() ? "" : " | ") + i;
  cmd->add_option("--impl", a->impl, impls + " (default ternary_f32; auto: per-layer autotuning)");
  cmd->add_option("--tune-cache", a->tune_cache,
                  "auto modes: tuning cache (default MODEL.tune.json, see tnn tune)");
  cmd->add_option("--tune-batch", a->tune_batch,
                  "auto modes: batch the layers are tuned at (default 1)");
  cmd->add_option("--data", a->data,
                  "CIFAR-10 binary folder, or for ImageNet models an ImageNet folder (val/ is "
                  "evaluated; default $TNN_IMAGENET_DIR)");
  cmd->add_option("--limit", a->limit, "only the first N test images");
  cmd->add_option("--checkpoint", a->checkpoint,
                  "compare predictions with this checkpoint's LibTorch model");
  cmd->add_option("--calibration", a->calibration,
                  "ternary_s8: training images for the activation scales (default 512)");
  cmd->add_option("--latency", a->latency, "measure latency at batch 1 and 128 (default true)");
  cmd->add_option("--fuse-residual", a->fuse_residual,
                  "FP32: fold each residual add into the conv before it (default true)");
  cmd->add_option("--out", a->out, "write the measurements as JSON");
  cmd->add_option(
      "--min-agreement", a->min_agreement,
      "with --checkpoint: exit non-zero when fewer than this % of predictions agree (e.g. 99.9)");
  cmd->callback([a] {
    if (a->list_impls) {
      for (const auto& i : kernels::engine_impls())
        if (!kernels::engine_impl_reference(i)) std::printf("%s\n", i.c_str());
      return;
    }
    if (a->model.empty()) throw std::runtime_error("infer: --model is required");
    kernels::check_engine_impl(a->impl);
    kernels::EngineOptions opt(a->impl);
    opt.tune_cache = a->tune_cache.empty() ? a->model + ".tune.json" : a->tune_cache;
    opt.tune_batch = a->tune_batch;
    opt.fuse_residual = a->fuse_residual;
    const kernels::Model model = kernels::read_model(a->model);
    if (model.in_h != 32 || model.in_w != 32 || model.in_c != 3) {
      kernels::Engine engine(model, opt);
      nlohmann::json out = {{"model", a->model},
                            {"impl", a->impl},
                            {"environment", environment_info()},
                            {"model_metadata", model.metadata}};
      const char* env = std::getenv("TNN_IMAGENET_DIR");
      const bool folder = !a->data.empty() || (env != nullptr && *env != '\0');
      if (model.metadata.contains("data") && folder)
        imagenet_eval(model, engine, a->impl, opt.tune_cache, a->data, a->limit, a->calibration,
                      a->checkpoint, a->latency, out);
      else
        latency_only(model, engine, a->impl, opt.tune_cache, a->checkpoint, a->latency, out);
      if (!a->out.empty()) write_file_atomic(a->out, out.dump(2) + "\n");
      if (a->min_agreement > 0 && out.value("agreement_with_checkpoint", 0.0) < a->min_agreement)
        throw std::runtime_error(a->model + ": the engine agrees with the checkpoint on " +
                                 std::to_string(out.value("agreement_with_checkpoint", 0.0)) +
                                 " % of images, below " + std::to_string(a->min_agreement) + " %");
      return;
    }
    auto data = load_cifar10(resolve_cifar10_dir(a->data), 0, a->limit);
    auto images = nhwc_images(data.test_images);
    const int64_t n = data.test_images.size(0);
    kernels::Engine engine(model, opt);
    nlohmann::json out = {{"model", a->model},
                          {"impl", a->impl},
                          {"test_images", n},
                          {"dataset", data.identity},
                          {"environment", environment_info()},
                          {"model_metadata", engine.model().metadata}};
    if (kernels::engine_impl_int8(a->impl)) {
      // Static activation scales from training images (never the test set).
      auto calib = nhwc_images(data.train_images.narrow(0, 0, a->calibration));
      engine.calibrate(calib.data(), a->calibration);
      out["calibration_images"] = a->calibration;
    }
    describe(engine, a->impl, opt.tune_cache, out);
    std::vector<float> logits(size_t(n * engine.output_size()));
    for (int64_t s = 0; s < n; s += 128) {
      int64_t len = std::min<int64_t>(128, n - s);
      engine.run(images.data() + s * engine.input_size(), len,
                 logits.data() + s * engine.output_size());
    }
    auto pred = torch::from_blob(logits.data(), {n, engine.output_size()}, torch::kFloat).argmax(1);
    double top1 = 100.0 * pred.eq(data.test_labels).to(torch::kDouble).mean().item<double>();
    std::printf("%s, %s, %lld test images of %s: top-1 %.2f %%\n", a->model.c_str(),
                a->impl.c_str(), (long long)n, data.label().c_str(), top1);
    out["top1"] = top1;
    if (!a->checkpoint.empty()) {
      auto net = load_network(a->checkpoint);
      auto ref = torch_logits(*net, data.test_images).argmax(1);
      double agree = 100.0 * pred.eq(ref).to(torch::kDouble).mean().item<double>();
      double ref_top1 = 100.0 * ref.eq(data.test_labels).to(torch::kDouble).mean().item<double>();
      std::printf(
          "same prediction as the LibTorch checkpoint on %.3f %% of images (checkpoint top-1 %.2f "
          "%%)\n",
          agree, ref_top1);
      out["agreement_with_checkpoint"] = agree;
      out["checkpoint_top1"] = ref_top1;
    }
    if (a->latency) latency(engine, images.data(), std::min<int64_t>(128, n), 10, out);
    if (!a->out.empty()) write_file_atomic(a->out, out.dump(2) + "\n");
    if (a->min_agreement > 0) {
      if (a->checkpoint.empty()) throw std::invalid_argument("--min-agreement needs --checkpoint");
      if (out["agreement_with_checkpoint"].get<double>() < a->min_agreement)
        throw std::runtime_error(a->model + ": the engine agrees with " + a->checkpoint + " on " +
                                 std::to_string(out["agreement_with_checkpoint"].get<double>()) +
                                 " % of images, below " + std::to_string(a->min_agreement) + " %");
    }
  });
}

}  // namespace tnn::cli
