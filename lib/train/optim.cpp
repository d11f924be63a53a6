#include "tnn/train.hpp"

#include <cmath>
#include <stdexcept>

namespace tnn {

void zero_grad_in_place(torch::optim::Optimizer& opt) {
  for (auto& group : opt.param_groups())
    for (auto& p : group.params())
      if (p.mutable_grad().defined()) {
        p.mutable_grad().detach_();
        p.mutable_grad().zero_();
      }
}

bool optimizer_state_has_hex_keys(torch::serialize::InputArchive& optimizer_archive) {
  torch::serialize::InputArchive state;
  if (!optimizer_archive.try_read("state", state)) return false;
  for (const auto& key : state.keys())
    if (key.rfind("0x", 0) == 0) return true;
  return false;
}

void load_optimizer(torch::optim::Optimizer& opt, torch::serialize::InputArchive& archive,
                    const std::string& where) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 2)
  if (optimizer_state_has_hex_keys(archive))
    throw std::runtime_error(
        where + ": its optimizer state was written by LibTorch < 2.2, which LibTorch " +
        TORCH_VERSION + " cannot map back to the parameters; resume this run with the LibTorch " +
        "that wrote it (the CPU build: 1.13), or start a new run from its weights");
#else
  (void)where;  // this LibTorch reads both key formats
#endif
  opt.load(archive);
}

ParamGroups split_parameters(Network& net) {
  ParamGroups g;
  for (const auto& p : net.named_parameters()) {
    const std::string& name = p.key();
    bool owned_by_quantizer = name.find("quantizer.") != std::string::npos;
    if (owned_by_quantizer)
      g.quantizer.push_back(p.value());
    else if (p.value().dim() >= 2)
      g.weights.push_back(p.value());
    else
      g.bn_bias.push_back(p.value());  // BN gamma/beta and biases are 1-D
  }
  return g;
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const nlohmann::json& c,
                                                        const std::vector<torch::Tensor>& decay,
                                                        const std::vector<torch::Tensor>& no_decay,
                                                        double lr) {
  const double wd = c.at("weight_decay").get<double>();
  const std::string name = c.at("name");
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (name == "sgd") {
    auto opts = [&](double w) {
      return std::make_unique<torch::optim::SGDOptions>(
          torch::optim::SGDOptions(lr)
              .momentum(c.at("momentum").get<double>())
              .nesterov(c.at("nesterov").get<bool>())
              .weight_decay(w));
    };
    if (!decay.empty()) groups.emplace_back(decay, opts(wd));
    if (!no_decay.empty()) groups.emplace_back(no_decay, opts(0.0));
    return std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(lr));
  }
  if (name == "adam") {
    auto opts = [&](double w) {
      const auto& b = c.at("betas");
      return std::make_unique<torch::optim::AdamOptions>(
          torch::optim::AdamOptions(lr)
              .betas({b.at(0).get<double>(), b.at(1).get<double>()})
              .eps(c.at("eps").get<double>())
              .weight_decay(w));  // coupled L2, as torch.optim.Adam
    };
    if (!decay.empty()) groups.emplace_back(decay, opts(wd));
    if (!no_decay.empty()) groups.emplace_back(no_decay, opts(0.0));
    return std::make_unique<torch::optim::Adam>(groups, torch::optim::AdamOptions(lr));
  }
  throw std::invalid_argument("optimizer.name: unknown optimizer '" + name + "'");
}

void set_learning_rate(torch::optim::Optimizer& opt, double lr) {
  for (auto& g : opt.param_groups()) g.options().set_lr(lr);
}

double scheduled_lr(const nlohmann::json& s, double base, int epoch, int step, int steps_per_epoch,
                    int epochs) {
  const std::string name = s.at("name");
  if (name == "constant") return base;
  if (name == "multistep") {
    double lr = base;
    const auto& m = s.at("milestones");
    const auto& g = s.at("gammas");
    for (size_t i = 0; i < m.size(); ++i)
      if (epoch >= m[i].get<int>()) lr *= g[i].get<double>();
    return lr;
  }
  if (name == "cosine") {
    double t = (double(epoch) * steps_per_epoch + step) / (double(epochs) * steps_per_epoch);
    return 0.5 * base * (1.0 + std::cos(M_PI * t));
  }
  throw std::invalid_argument("schedule.name: unknown schedule '" + name + "'");
}

}  // namespace tnn
