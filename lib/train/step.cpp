// Model + optimizers as the trainer builds them, and one optimisation step (incl. TGA's two-pass
// sequential update). Shared by the trainer and `tnn bench-train`, so the benchmark measures the
// exact step that training runs.
#include "tnn/train.hpp"

#include "tnn/torchvision_io.hpp"

namespace tnn {

ModelConfig model_config_of(const nlohmann::json& c) {
  ModelConfig m;
  m.arch = c["model"]["arch"];
  m.first_layer = c["model"]["first_layer"];
  m.last_layer = c["model"]["last_layer"];
  m.channels_last = c["model"]["channels_last"];
  m.quantizer = {c["quantizer"]["method"], c["quantizer"]["params"]};
  const auto& nc = c["model"]["num_classes"];  // null: the dataset's
  if (nc.is_number_integer()) m.num_classes = nc.get<int64_t>();
  else m.num_classes = c["data"].value("dataset", "cifar10") == "imagenet" ? 1000 : 10;
  return m;
}

Trainable make_trainable(const nlohmann::json& cfg, int seed, torch::Device device,
                         const std::string& init_checkpoint, const std::string& init_torchvision) {
  Trainable t;
  torch::manual_seed(seed);
  t.net = make_model(model_config_of(cfg), "model");
  if (!init_checkpoint.empty() || !init_torchvision.empty()) {
    if (!init_checkpoint.empty()) load_matching_weights(init_checkpoint, *t.net);
    else load_torchvision(init_torchvision, *t.net);
    t.net->init_quantizers_from_weights();  // TGA: delta from the loaded weights (main_dc.py)
  }
  t.net->to(device);

  const auto& tc = cfg["train"];
  ParamGroups g = split_parameters(*t.net);
  const bool tga = cfg["quantizer"]["method"] == "tga" && !g.quantizer.empty();
  const bool decay_all = tc["optimizer"]["weight_decay_on"] == "all";
  std::vector<torch::Tensor> decay = g.weights, no_decay;
  auto& bn_group = decay_all ? decay : no_decay;
  bn_group.insert(bn_group.end(), g.bn_bias.begin(), g.bn_bias.end());
  if (!tga) no_decay.insert(no_decay.end(), g.quantizer.begin(), g.quantizer.end());
  t.lr = tc["optimizer"]["lr"];
  t.opt = make_optimizer(tc["optimizer"], decay, no_decay, t.lr);
  if (tga) {
    const auto& th = tc["threshold_optimizer"];
    t.threshold_lr = th["lr"].is_null() ? t.lr : th["lr"].get<double>();
    t.threshold_opt = make_optimizer(th, g.quantizer, {}, t.threshold_lr);
    t.two_pass = tc["tga_update"] == "sequential_two_pass";
    for (auto* group : {&g.weights, &g.bn_bias})
      t.model_params.insert(t.model_params.end(), group->begin(), group->end());
  }
  return t;
}

void set_step_lr(Trainable& t, double lr) {
  set_learning_rate(*t.opt, lr);
  if (t.threshold_opt) set_learning_rate(*t.threshold_opt, lr * (t.threshold_lr / t.lr));
}

std::pair<torch::Tensor, torch::Tensor> train_step(Trainable& t, const torch::Tensor& x, const torch::Tensor& y) {
  auto forward = [&] {
    auto logits = t.net->forward(x);
    return std::make_pair(torch::cross_entropy_loss(logits, y), logits);
  };
  if (t.two_pass) {
    // TGA sequential update (main_dc.py): 1) thresholds from one pass, 2) weights from a second
    // pass with the new thresholds. Both passes update BN running statistics, as there.
    // The first pass only needs the thresholds' gradients: the weights are frozen for it so that
    // autograd skips their gradients (identical thresholds' gradients; a small saving, within noise).
    for (auto& p : t.model_params) p.requires_grad_(false);
    auto first = forward();
    t.threshold_opt->zero_grad();
    first.first.backward();
    for (auto& p : t.model_params) p.requires_grad_(true);
    t.threshold_opt->step();
    auto second = forward();
    t.opt->zero_grad();
    second.first.backward();
    t.opt->step();
    return second;
  }
  t.opt->zero_grad();
  if (t.threshold_opt) t.threshold_opt->zero_grad();
  auto out = forward();
  out.first.backward();
  t.opt->step();
  if (t.threshold_opt) t.threshold_opt->step();
  return out;
}

}  // namespace tnn
