// Cost estimates for `tnn reproduce`'s plan: a run's remaining wall time from the per-image cost
// of finished or partial runs measured before (committed results), preferring the same CPU model,
// architecture, method and thread count. Nothing here is a guess without saying so: every
// estimate names the run it was scaled from.
#include "tnn/reproduce.hpp"

#include "tnn/fileio.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <tuple>

namespace tnn {
namespace fs = std::filesystem;

namespace {

// Training images per epoch of a config (CIFAR-10 train set: 50,000; train_limit caps it).
double train_images_per_epoch(const nlohmann::json& cfg) {
  const double full = 50000;
  const auto& lim = cfg["data"]["train_limit"];
  double limit = lim.is_number() ? lim.get<double>() : 0.0;
  return limit > 0 ? std::min(limit, full) : full;
}

}  // namespace

std::vector<CostSample> load_cost_samples(const std::vector<std::string>& roots) {
  std::vector<CostSample> out;
  for (const auto& root : roots) {
    if (root.empty() || !fs::is_directory(root)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.path().filename() != "result.json" ||
          e.path().string().find(".old-") != std::string::npos)
        continue;
      nlohmann::json r;
      try {
        r = nlohmann::json::parse(read_file(e.path().string()));
      } catch (const std::exception&) {
        continue;  // a result being rewritten right now; the others suffice
      }
      double images = 0;
      for (const auto& h : r.value("history", nlohmann::json::array()))
        images += h.value("train_images", 0.0);
      const double wall = r.value("wall_seconds", 0.0);
      // One epoch says little (start-up, a busy machine): scale from two or more.
      if (images <= 0 || wall <= 0 || r.value("epochs_done", 0) < 2) continue;
      CostSample m;
      m.seconds_per_image = wall / images;
      const auto& env = r["environment"];
      m.threads = std::max(1, env.value("threads", 1));
      m.cpu = env.value("cpu_model", "?");
      m.arch = r["config"]["model"].value("arch", "?");
      m.method = r["config"]["quantizer"].value("method", "?");
      m.epochs = r.value("epochs_done", 0);
      m.dataset = r["config"]["data"].value("dataset", "cifar10");
      for (const auto& l : r["sparsity"].value("layers", nlohmann::json::array()))
        m.macs += l.value("macs_per_image", 0.0);
      m.where = r.value("experiment", "?") + "/" + r.value("profile", "?") + "/seed" +
                std::to_string(r.value("seed", 0));
      out.push_back(m);
    }
  }
  return out;
}

RunEstimate estimate_run(const nlohmann::json& cfg, int epochs_done, int threads,
                         const CostContext& ctx) {
  RunEstimate est;
  const std::string dataset = cfg["data"].value("dataset", "cifar10");
  if (dataset != "cifar10") {
    est.basis = "no cost model for dataset " + dataset + " yet";
    return est;
  }
  const std::string arch = cfg["model"]["arch"], method = cfg["quantizer"]["method"];
  // Best match first: same CPU model, architecture, method, thread count; then the longest run.
  const CostSample* best = nullptr;
  std::tuple<int, int, int> best_key{-1, -1, -1};
  for (const auto& m : ctx.samples) {
    if (m.dataset != dataset) continue;
    std::tuple<int, int, int> key{
        4 * (m.cpu == ctx.cpu) + 2 * (m.arch == arch) + (m.method == method), m.threads == threads,
        m.epochs};
    if (key > best_key) best_key = key, best = &m;
  }
  if (best == nullptr) {
    est.basis = "no measured run to scale from";
    return est;
  }
  const int epochs = cfg["train"]["epochs"];
  const double images = train_images_per_epoch(cfg) * std::max(0, epochs - epochs_done);
  // 2 threads train 1.7-1.8x faster than 1 on these machines (shared/docs/toolchain.md): ~T^0.8.
  double scale = std::pow(double(best->threads) / double(std::max(1, threads)), 0.8);
  est.basis = "scaled from " + best->where + " (" + std::to_string(best->epochs) + " epochs, " +
              std::to_string(best->threads) + " thread" + (best->threads > 1 ? "s" : "") +
              (best->cpu == ctx.cpu ? ", this CPU" : ", " + best->cpu) + ")";
  if (best->arch != arch) {
    const double macs = ctx.macs_of(cfg);
    if (macs <= 0 || best->macs <= 0) {
      est.basis = "no measured " + arch + " run, and no MAC count to scale another from";
      return est;
    }
    scale *= macs / best->macs;
    est.basis += ", x MACs " + arch + "/" + best->arch;
  }
  if (best->method != method) {
    auto a = ctx.step_ratio_to_fp.find(method), b = ctx.step_ratio_to_fp.find(best->method);
    if (a != ctx.step_ratio_to_fp.end() && b != ctx.step_ratio_to_fp.end()) {
      scale *= a->second / b->second;
      est.basis += ", x step time " + method + "/" + best->method + " (bench-train)";
    } else {
      est.basis += "; another method, not scaled: rough";
    }
  }
  est.seconds = images * best->seconds_per_image * scale;
  return est;
}

std::string format_hours(double seconds) {
  char b[32];
  if (seconds < 0) return "unknown";
  if (seconds < 90)
    std::snprintf(b, sizeof b, "%.0f s", seconds);
  else if (seconds < 5400)
    std::snprintf(b, sizeof b, "%.0f min", seconds / 60);
  else
    std::snprintf(b, sizeof b, "%.1f h", seconds / 3600);
  return b;
}

}  // namespace tnn
