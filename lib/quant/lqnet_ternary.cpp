// LQ-Net (Zhang, Yang, Ye, Hua, ECCV'18) with its weight levels restricted to ternary
// {-v, 0, +v}: the level v is not trained by gradients but fitted to the weights by
// quantization-error minimisation (QEM), per output channel as LQ-Net does for weights.
// Update rule read from microsoft/LQ-Nets:learned_quantization.py (QuantizedWeight); LQ-Net's
// 1-bit basis {-v, +v} becomes {-v, 0, +v} here (its 2-bit weights have 4 levels, not 3).
//   T   = +1 if W > v/2, -1 if W <= -v/2, else 0   (thresholds halfway between the levels, with
//         LQ-Net's strict "x > threshold" tests: W = +v/2 gives 0, W = -v/2 gives -1)
//   W_t = v T,  dL/dW = dL/dW_t (identity STE, as LQ-Net's weights), v gets no gradient
//   every training forward, after W_t is computed with the current v (least squares with
//   LQ-Net's regulariser eps, then its moving average):
//     v_new = (sum T W + eps v) / (sum T^2 + eps),   v <- momentum v + (1 - momentum) v_new
//   init and after loading weights: v = init_scale * std(W) (population std per channel;
//   LQ-Net starts at Phi^-1(0.75) sigma_init = 0.6745 sigma_init for its He-init sigma).
#include "methods.hpp"

#include <stdexcept>

namespace tnn::quant {
namespace {

struct LqOptions {
  bool per_channel = true;
  double momentum = 0.9;
  double eps = 1e-4;
  double init_scale = 0.6745;
};

// The weight as [groups, n]: one row per output channel, or one row.
torch::Tensor lq_rows_of(const torch::Tensor& w, bool per_channel) {
  return per_channel && w.dim() >= 2 ? w.reshape({w.size(0), -1}) : w.reshape({1, -1});
}

torch::Tensor lq_codes_of(const torch::Tensor& w, const torch::Tensor& level) {
  auto half = broadcast_per_channel(level, w) * 0.5;
  return w.gt(half).to(torch::kInt8) - w.le(-half).to(torch::kInt8);
}

struct LqFn : torch::autograd::Function<LqFn> {
  static torch::Tensor forward(torch::autograd::AutogradContext*, torch::Tensor w,
                               torch::Tensor level) {
    auto t = lq_codes_of(w, level).to(w.scalar_type());
    return t * broadcast_per_channel(level, w).to(w.scalar_type());
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext*,
                                               torch::autograd::tensor_list grads) {
    return {grads[0], torch::Tensor()};  // identity STE; the level is fitted, not trained
  }
};

class LqNetTernary : public Ternarizer {
 public:
  LqNetTernary(nlohmann::json params, LqOptions o, double level, bool explicit_level)
      : Ternarizer("lqnet_ternary", std::move(params)), o_(o), explicit_level_(explicit_level) {
    // Sized by init_from_weight ([C_out] or [1]); saved in checkpoints with the model.
    level_ = register_buffer("level", torch::full({explicit_level ? 1 : 0}, level));
  }

  torch::Tensor forward(const torch::Tensor& weight) override {
    check_initialised();
    auto out = LqFn::apply(weight, level_);
    if (is_training()) fit_level(weight.detach());
    return out;
  }

  std::vector<TernaryTerm> decompose(const torch::Tensor& weight) override {
    check_initialised();
    torch::NoGradGuard no_grad;
    auto w = weight.detach().to(torch::kFloat);
    auto level = level_.detach().to(w.device(), torch::kFloat);  // packing moves w to the CPU
    TernaryTerm t;
    t.codes = lq_codes_of(w, level);
    t.scale_pos = level.clone();
    t.scale_neg = t.scale_pos.clone();
    t.threshold_hi = t.scale_pos * 0.5;
    t.threshold_lo = -t.threshold_hi;
    return {t};
  }

  void init_from_weight(const torch::Tensor& weight) override {
    torch::NoGradGuard no_grad;
    auto rows = lq_rows_of(weight.detach().to(torch::kFloat), o_.per_channel);
    auto level = explicit_level_ ? torch::full({rows.size(0)}, level_.reshape(-1)[0].item<double>())
                                 : rows.std(1, /*unbiased=*/false) * o_.init_scale;
    level_.set_data(level.to(level_.device()));
  }

 private:
  void check_initialised() const {
    if (level_.numel() == 0)
      throw std::logic_error("lqnet_ternary: level not initialised (call init_from_weight first)");
  }

  // One QEM step (least squares for v given the codes) folded into the moving average.
  void fit_level(const torch::Tensor& w) {
    torch::NoGradGuard no_grad;
    auto rows = lq_rows_of(w.to(torch::kFloat), o_.per_channel);
    auto t = lq_rows_of(lq_codes_of(w, level_), o_.per_channel).to(torch::kFloat);
    auto fitted = ((t * rows).sum(1) + o_.eps * level_) / (t.square().sum(1) + o_.eps);
    level_.mul_(o_.momentum).add_(fitted, 1.0 - o_.momentum);
  }

  LqOptions o_;
  bool explicit_level_;
  torch::Tensor level_;
};

}  // namespace

TernarizerInfo lqnet_ternary_info() {
  TernarizerInfo info;
  info.name = "lqnet_ternary";
  info.summary =
      "LQ-Net restricted to ternary: levels {-v, 0, +v}, v fitted by least squares (QEM) with a "
      "moving average in training forwards, identity STE";
  info.params = {
      {"granularity", "out_channel",
       "out_channel: one v per output channel (LQ-Net's weights); layer: one v"},
      {"momentum", 0.9, "moving average of v (LQ-Net: 0.9); 0 = the least-squares fit itself"},
      {"eps", 1e-4, "LQ-Net's regulariser of the least-squares fit (EPS)"},
      {"init_scale", 0.6745, "initial v = init_scale * std(W) (LQ-Net: Phi^-1(0.75))"},
      {"v", nullptr, "initial level v for every channel; default init_scale * std(W)"},
  };
  info.make = [](const nlohmann::json& p, const std::string& where) -> std::shared_ptr<Ternarizer> {
    LqOptions o;
    o.per_channel =
        param_choice(p, "granularity", {"out_channel", "layer"}, where) == "out_channel";
    o.momentum = param_number(p, "momentum", 0.0, 0.999999, where);
    o.eps = param_number(p, "eps", 0.0, 1e30, where);
    o.init_scale = param_number(p, "init_scale", 0.0, 1e30, where);
    const bool explicit_level = !p.at("v").is_null();
    const double level = explicit_level ? param_number(p, "v", 0.0, 1e30, where) : 0.0;
    return std::make_shared<LqNetTernary>(p, o, level, explicit_level);
  };
  // v is a buffer set by forward(); after loading pretrained weights it is re-fitted to them.
  info.policy.reinit_after_loading_weights = true;
  return info;
}

}  // namespace tnn::quant
