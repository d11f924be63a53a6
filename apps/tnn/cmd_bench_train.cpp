// tnn bench-train: images/s of a training step (the trainer's own step, incl. two-pass updates)
// for every registered ternarizer, measured in one run and interleaved round-robin so machine
// noise hits all methods alike; each is printed as a ratio to the first (the registry's fp).
#include "commands.hpp"
#include "params.hpp"

#include "tnn/experiment.hpp"
#include "tnn/fileio.hpp"
#include "tnn/runtime.hpp"
#include "tnn/train.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>

namespace tnn::cli {

namespace {
// "<m>-joint": method m, whose policy asks for two passes per step, run with one joint pass.
const char* kJoint = "-joint";

// Every registered method, plus "<m>-joint" for the two-pass ones: it separates the cost of the
// second pass from the method's own.
std::vector<std::string> default_methods() {
  std::vector<std::string> out;
  for (const auto& info : ternarizer_registry()) {
    out.push_back(info.name);
    if (info.policy.passes_per_step > 1) out.push_back(info.name + kJoint);
  }
  return out;
}

// The registered method of a --methods entry and whether it is a "-joint" variant.
std::pair<std::string, bool> parse_method(const std::string& m) {
  const std::string suffix = kJoint;
  if (m.size() > suffix.size() && m.compare(m.size() - suffix.size(), suffix.size(), suffix) == 0) {
    const std::string base = m.substr(0, m.size() - suffix.size());
    if (find_ternarizer(base).policy.passes_per_step < 2)
      throw std::invalid_argument("--methods " + m + ": '" + base +
                                  "' takes one pass per step already");
    return {base, true};
  }
  find_ternarizer(m);  // throws with the known names
  return {m, false};
}
}  // namespace

void add_bench_train(CLI::App& app) {
  struct Args {
    std::string arch = "resnet20", out;
    std::vector<std::string> methods = default_methods();
    int batch = 128, steps = 10, rounds = 5, image_size = 32, warmup = 3;
    int64_t classes = 10;
  };
  auto a = std::make_shared<Args>();
  auto* cmd =
      app.add_subcommand("bench-train", "training-step throughput per ternarizer, as ratios to fp");
  cmd->add_option("--arch", a->arch, "model (default resnet20)");
  std::string all;
  for (const auto& m : a->methods) all += (all.empty() ? "" : " ") + m;
  cmd->add_option("--methods", a->methods,
                  "methods to compare, the first is the baseline (default: " + all +
                      "); <m>-joint = a two-pass method with one joint pass per step; "
                      "method:key=value,... sets parameters, e.g. wacv19:terms=2");
  cmd->add_option("--batch", a->batch, "batch size (default 128)");
  cmd->add_option("--steps", a->steps, "timed steps per round (default 10)");
  cmd->add_option("--rounds", a->rounds,
                  "round-robin rounds; the median round is reported (default 5)");
  cmd->add_option("--out", a->out, "write the measurements as JSON here");
  cmd->add_option("--image-size", a->image_size,
                  "input height = width (default 32; ImageNet models: 224)");
  cmd->add_option("--classes", a->classes, "classifier outputs (default 10)");
  cmd->add_option("--warmup", a->warmup, "untimed steps per method first (default 3)");
  cmd->callback([a] {
    using Clock = std::chrono::steady_clock;
    torch::Device device =
        torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    std::map<std::string, Trainable> models;
    torch::manual_seed(0);
    auto x = torch::randn({a->batch, 3, a->image_size, a->image_size})
                 .to(device)
                 .contiguous(at::MemoryFormat::ChannelsLast);
    auto y = torch::randint(0, a->classes, {a->batch}, torch::kLong).to(device);
    for (const auto& m : a->methods) {
      nlohmann::json cfg = experiment_defaults();
      cfg["model"]["arch"] = a->arch;
      cfg["model"]["num_classes"] = a->classes;
      const auto colon = m.find(':');
      const auto [method, joint] = parse_method(m.substr(0, colon));
      cfg["quantizer"]["method"] = method;
      if (colon != std::string::npos) {  // method:key=value,key=value
        std::vector<std::string> kv;
        for (size_t s = colon + 1; s <= m.size();) {
          size_t e = m.find(',', s);
          if (e == std::string::npos) e = m.size();
          kv.push_back(m.substr(s, e - s));
          s = e + 1;
        }
        cfg["quantizer"]["params"] = parse_key_values(kv, "--methods " + m);
      }
      if (joint) cfg["train"]["tga_update"] = "joint";
      models[m] = make_trainable(cfg, 1, device);
      set_step_lr(models[m], 0.01);
      for (int i = 0; i < a->warmup; ++i)
        train_step(models[m], x, y);  // warm-up (oneDNN primitive caches)
    }
    std::map<std::string, std::vector<double>> rates;
    for (int r = 0; r < a->rounds; ++r) {
      for (const auto& m : a->methods) {
        auto t0 = Clock::now();
        for (int s = 0; s < a->steps; ++s) train_step(models[m], x, y);
        if (device.is_cuda()) torch::cuda::synchronize();
        double sec = std::chrono::duration<double>(Clock::now() - t0).count();
        rates[m].push_back(double(a->batch) * a->steps / sec);
      }
    }
    nlohmann::json out;
    out["arch"] = a->arch;
    out["batch"] = a->batch;
    out["image_size"] = a->image_size;
    out["classes"] = a->classes;
    out["steps_per_round"] = a->steps;
    out["rounds"] = a->rounds;
    out["baseline"] = a->methods.front();
    out["device"] = device.str();
    out["environment"] = environment_info();
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    const double base = median(rates[a->methods.front()]);
    std::printf("%-16s %12s %14s  (%s, batch %d, %d threads, median of %d rounds x %d steps)\n",
                "method", "img/s", ("step time / " + a->methods.front()).c_str(), a->arch.c_str(),
                a->batch, torch::get_num_threads(), a->rounds, a->steps);
    for (const auto& m : a->methods) {
      double med = median(rates[m]);
      std::printf("%-16s %12.1f %13.3fx\n", m.c_str(), med, base / med);
      out["methods"][m] = {{"img_per_s_median", med},
                           {"img_per_s_rounds", rates[m]},
                           {"step_time_ratio_to_fp", base / med}};
    }
    if (!a->out.empty()) write_file_atomic(a->out, out.dump(2) + "\n");
  });
}

}  // namespace tnn::cli
