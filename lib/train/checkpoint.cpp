// Checkpoints: one LibTorch archive holding the model, the optimizer(s) and a JSON string with
// the training state and config; written to a temp file and renamed (atomic).
#include "tnn/train.hpp"

#include "tnn/fileio.hpp"

#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace tnn {

void save_checkpoint(const std::string& path, Network& net, torch::optim::Optimizer* opt,
                     torch::optim::Optimizer* threshold_opt, const TrainState& state,
                     const nlohmann::json& config) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive model;
  net.save(model);
  archive.write("model", model);
  if (opt != nullptr) {
    torch::serialize::OutputArchive o;
    opt->save(o);
    archive.write("optimizer", o);
  }
  if (threshold_opt != nullptr) {
    torch::serialize::OutputArchive o;
    threshold_opt->save(o);
    archive.write("threshold_optimizer", o);
  }
  nlohmann::json meta;
  meta["format"] = "ternary-bench checkpoint v1";
  meta["epoch"] = state.epoch;
  meta["best_top1"] = state.best_top1;
  meta["best_epoch"] = state.best_epoch;
  meta["history"] = state.history;
  meta["train_seconds"] = state.train_seconds;
  meta["world_size"] = state.world_size;
  meta["partial"] = state.partial;
  meta["config"] = config;
  archive.write("meta", c10::IValue(meta.dump()));
  std::ostringstream out;
  archive.save_to(out);
  write_file_atomic(path, out.str());
}

namespace {
nlohmann::json read_meta(torch::serialize::InputArchive& archive, const std::string& path) {
  c10::IValue v;
  if (!archive.try_read("meta", v) || !v.isString())
    throw std::runtime_error(path + ": not a ternary-bench checkpoint (no meta record)");
  return nlohmann::json::parse(v.toStringRef());
}

// Module::save nests one archive per submodule: "stage1.0.conv_a.weight" is read level by level.
bool try_read_nested(torch::serialize::InputArchive& a, const std::string& dotted, torch::Tensor& t,
                     bool is_buffer) {
  auto dot = dotted.find('.');
  if (dot == std::string::npos) return a.try_read(dotted, t, is_buffer);
  torch::serialize::InputArchive sub;
  if (!a.try_read(dotted.substr(0, dot), sub)) return false;
  return try_read_nested(sub, dotted.substr(dot + 1), t, is_buffer);
}

// Tensors come back on `device`, not on the one they were saved from: a GPU run's checkpoint
// opens on a machine without CUDA, and a parameter that reads a tensor from another device would
// be moved there (InputArchive::try_read uses set_data across devices).
torch::serialize::InputArchive open(const std::string& path, torch::Device device) {
  if (!std::filesystem::is_regular_file(path))
    throw std::runtime_error(path + ": no such checkpoint file");
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path, device);
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot read checkpoint (not a LibTorch archive, or cut " +
                             "short): " + e.what_without_backtrace());
  }
  return archive;
}
}  // namespace

nlohmann::json load_checkpoint(const std::string& path, Network& net, torch::optim::Optimizer* opt,
                               torch::optim::Optimizer* threshold_opt, TrainState* state) {
  const auto params = net.parameters();
  auto archive = open(path, params.empty() ? torch::Device(torch::kCPU) : params.front().device());
  nlohmann::json meta = read_meta(archive, path);
  torch::serialize::InputArchive model;
  archive.read("model", model);
  net.load(model);
  if (opt != nullptr) {
    torch::serialize::InputArchive o;
    archive.read("optimizer", o);
    load_optimizer(*opt, o, path);
  }
  if (threshold_opt != nullptr) {
    torch::serialize::InputArchive o;
    archive.read("threshold_optimizer", o);
    load_optimizer(*threshold_opt, o, path);
  }
  if (state != nullptr) {
    state->epoch = meta["epoch"];
    state->best_top1 = meta["best_top1"];
    state->best_epoch = meta["best_epoch"];
    state->history = meta["history"];
    state->train_seconds = meta["train_seconds"];
    state->world_size = meta.value("world_size", 1);
    state->partial = meta.contains("partial") ? meta["partial"] : nlohmann::json();
  }
  return meta["config"];
}

nlohmann::json checkpoint_config(const std::string& path) {
  auto archive = open(path, torch::kCPU);
  nlohmann::json meta = read_meta(archive, path);
  meta.erase("history");
  return meta;
}

void load_matching_weights(const std::string& path, Network& net) {
  auto archive = open(path, torch::kCPU);
  torch::serialize::InputArchive model;
  archive.read("model", model);
  torch::NoGradGuard ng;
  int copied = 0;
  for (auto& p : net.named_parameters()) {
    torch::Tensor t;
    if (try_read_nested(model, p.key(), t, false) && t.sizes() == p.value().sizes()) {
      p.value().copy_(t);
      ++copied;
    }
  }
  for (auto& b : net.named_buffers()) {
    torch::Tensor t;
    if (try_read_nested(model, b.key(), t, true) && t.sizes() == b.value().sizes())
      b.value().copy_(t);
  }
  if (copied == 0)
    throw std::runtime_error(path + ": no parameter matches the model (wrong architecture?)");
}

}  // namespace tnn
