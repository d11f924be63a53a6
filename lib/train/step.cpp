// Model + optimizers as the trainer builds them, and one optimisation step (incl. the two-pass
// sequential update of TGA-like methods). What happens to a ternarizer's own parameters comes from
// its TrainingPolicy (tnn/ternarize.hpp), never from its name. Shared by the trainer and
// `tnn bench-train`, so the benchmark measures the exact step that training runs.
#include "tnn/train.hpp"

#include "tnn/torchvision_io.hpp"

namespace tnn {

// Also reads the configs stored in older checkpoints, which lack later optional fields: a const
// json's operator[] on a missing key is undefined behaviour (it read garbage for num_classes,
// which made `tnn infer --checkpoint` fail now and then), so required fields go through at()
// and optional ones through value().
ModelConfig model_config_of(const nlohmann::json& c) {
  ModelConfig m;
  const auto& model = c.at("model");
  m.arch = model.at("arch");
  m.first_layer = model.at("first_layer");
  m.last_layer = model.at("last_layer");
  m.channels_last = model.value("channels_last", m.channels_last);
  m.quantizer = {c.at("quantizer").at("method"), c.at("quantizer").at("params")};
  const nlohmann::json nc = model.value("num_classes", nlohmann::json());  // null: the dataset's
  if (nc.is_number_integer())
    m.num_classes = nc.get<int64_t>();
  else
    m.num_classes =
        c.value("data", nlohmann::json::object()).value("dataset", "cifar10") == "imagenet" ? 1000
                                                                                            : 10;
  return m;
}

Trainable make_trainable(const nlohmann::json& cfg, int seed, torch::Device device,
                         const std::string& init_checkpoint, const std::string& init_torchvision) {
  Trainable t;
  const TrainingPolicy& policy = find_ternarizer(cfg["quantizer"]["method"]).policy;
  torch::manual_seed(seed);
  t.net = make_model(model_config_of(cfg), "model");
  if (!init_checkpoint.empty() || !init_torchvision.empty()) {
    if (!init_checkpoint.empty())
      load_matching_weights(init_checkpoint, *t.net);
    else
      load_torchvision(init_torchvision, *t.net);
    if (policy.reinit_after_loading_weights) t.net->init_quantizers_from_weights();
  }
  t.net->to(device);

  const auto& tc = cfg["train"];
  ParamGroups g = split_parameters(*t.net);
  const bool own_optimizer =
      policy.own_parameters == TrainingPolicy::OwnParameters::kOwnOptimizer && !g.quantizer.empty();
  const bool decay_all = tc["optimizer"]["weight_decay_on"] == "all";
  std::vector<torch::Tensor> decay = g.weights, no_decay;
  auto& bn_group = decay_all ? decay : no_decay;
  bn_group.insert(bn_group.end(), g.bn_bias.begin(), g.bn_bias.end());
  if (!own_optimizer) no_decay.insert(no_decay.end(), g.quantizer.begin(), g.quantizer.end());
  t.lr = tc["optimizer"]["lr"];
  t.opt = make_optimizer(tc["optimizer"], decay, no_decay, t.lr);
  if (own_optimizer) {
    const auto& th = tc["threshold_optimizer"];
    t.threshold_lr = th["lr"].is_null() ? t.lr : th["lr"].get<double>();
    t.threshold_opt = make_optimizer(th, g.quantizer, {}, t.threshold_lr);
    t.two_pass = policy.passes_per_step == 2 && tc["tga_update"] != "joint";
    for (auto* group : {&g.weights, &g.bn_bias})
      t.model_params.insert(t.model_params.end(), group->begin(), group->end());
  }
  return t;
}

void set_step_lr(Trainable& t, double lr) {
  set_learning_rate(*t.opt, lr);
  if (t.threshold_opt) set_learning_rate(*t.threshold_opt, lr * (t.threshold_lr / t.lr));
}

std::pair<torch::Tensor, torch::Tensor> train_step(Trainable& t, const torch::Tensor& x,
                                                   const torch::Tensor& y) {
  auto forward = [&] {
    auto logits = t.net->forward(x);
    return std::make_pair(torch::cross_entropy_loss(logits, y), logits);
  };
  if (t.two_pass) {
    // Sequential update (TGA, main_dc.py): 1) the ternarizers' own parameters from one pass,
    // 2) weights from a second pass with their new values. Both passes update BN running
    // statistics, as there. The first pass only needs the thresholds' gradients: the weights are
    // frozen for it so that autograd skips their gradients (identical thresholds' gradients; a
    // small saving, within noise).
    // Under data parallelism both passes' gradients are averaged over ranks (tnn/dist.hpp).
    for (auto& p : t.model_params) p.requires_grad_(false);
    if (t.sync) t.sync->before_forward();
    auto first = forward();
    zero_grad_in_place(*t.threshold_opt);
    first.first.backward();
    for (auto& p : t.model_params) p.requires_grad_(true);
    if (t.sync) t.sync->average_now(*t.threshold_opt);
    t.threshold_opt->step();
    auto second = forward();
    zero_grad_in_place(*t.opt);
    if (t.sync) t.sync->before_backward();
    second.first.backward();
    if (t.sync) t.sync->after_backward();
    t.opt->step();
    return second;
  }
  zero_grad_in_place(*t.opt);
  if (t.threshold_opt) zero_grad_in_place(*t.threshold_opt);
  if (t.sync) t.sync->before_forward();
  auto out = forward();
  if (t.sync) t.sync->before_backward();
  out.first.backward();
  if (t.sync) t.sync->after_backward();
  t.opt->step();
  if (t.threshold_opt) t.threshold_opt->step();
  return out;
}

}  // namespace tnn
