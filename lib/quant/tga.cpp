// TGA (He & Fan, CVPR'19): the threshold delta is a trainable parameter per layer; the scale is the
// mean of a Gaussian N(mu, sigma^2) truncated to (mu + delta_c, inf):
//   mu = mean(W), sigma = std(W) (unbiased), delta_c = clip(|delta|, 0, 3 sigma^)   (sigma^
//   constant) T  = +1 if W > mu + delta_c, -1 if W < mu - delta_c, else 0        (strict) z  =
//   delta_c / sigma,  alpha = mu + sigma * lambda(z),  lambda(z) = phi(z) / (1 - Phi(z))
// Backward, in closed form (g = dL/dW_t, G = sum g*T, lambda'(z) = lambda (lambda - z)):
//   dL/dW_i   = g_i + G * [1/n + (lambda - z lambda') (W_i - mu) / ((n-1) sigma)]   (alpha path)
//   dL/ddelta = G * lambda' * sign(delta) * [|delta| < 3 sigma^], clamped to +-delta_grad_clamp
// The first g_i is the reference code's "gradient correctness": grad_output / alpha through the
// alpha * T product, i.e. identity w.r.t. the scaled weight, without a |W| window.
// Reference: elliothe/tern_repo:models/tern_threshold_trainable_5.py and main_dc.py (the +-1e-3
// gradient clamp hook, delta re-initialisation after loading weights, the two-pass update).
#include "methods.hpp"

#include <cmath>
#include <stdexcept>

namespace tnn::quant {
namespace {

struct TgaOptions {
  double delta_init_frac = 0.05;
  double clip_sigmas = 3.0;
  double grad_clamp = 1e-3;  // <= 0: no clamp
  bool alpha_grad = true;
};

// Scalars of one forward pass, in double precision.
struct TgaStats {
  double mu, sigma, delta_c, z, lambda, alpha;
  int64_t n;
};

TgaStats tga_stats(const torch::Tensor& w, double delta, const TgaOptions& o) {
  TgaStats s;
  s.n = w.numel();
  if (s.n < 2) throw std::invalid_argument("tga: a weight tensor needs at least 2 elements");
  auto wd = w.to(torch::kDouble);
  s.mu = wd.mean().item<double>();
  s.sigma = wd.std(/*unbiased=*/true).item<double>();
  s.delta_c = std::min(std::abs(delta), o.clip_sigmas * s.sigma);
  if (s.sigma > 0) {
    s.z = s.delta_c / s.sigma;
    double phi = std::exp(-0.5 * s.z * s.z) / std::sqrt(2.0 * M_PI);
    double tail = 0.5 * std::erfc(s.z / std::sqrt(2.0));  // 1 - Phi(z), accurate in the tail
    s.lambda = phi / tail;
  } else {  // constant weights: no spread, alpha = mu and no gradient through sigma
    s.z = 0.0;
    s.lambda = 0.0;
  }
  s.alpha = s.mu + s.sigma * s.lambda;
  return s;
}

torch::Tensor tga_codes_of(const torch::Tensor& w, const TgaStats& s) {
  return w.gt(s.mu + s.delta_c).to(torch::kInt8) - w.lt(s.mu - s.delta_c).to(torch::kInt8);
}

struct TgaFn : torch::autograd::Function<TgaFn> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor w,
                               torch::Tensor delta, const TgaOptions* o) {
    TgaStats s = tga_stats(w, delta.item<double>(), *o);
    auto t = tga_codes_of(w, s).to(w.scalar_type());
    ctx->save_for_backward({w, t, delta});
    ctx->saved_data["mu"] = s.mu;
    ctx->saved_data["sigma"] = s.sigma;
    ctx->saved_data["z"] = s.z;
    ctx->saved_data["lambda"] = s.lambda;
    ctx->saved_data["clip_sigmas"] = o->clip_sigmas;
    ctx->saved_data["grad_clamp"] = o->grad_clamp;
    ctx->saved_data["alpha_grad"] = o->alpha_grad;
    return t * s.alpha;
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    auto w = saved[0], t = saved[1], delta = saved[2];
    double mu = ctx->saved_data["mu"].toDouble(), sigma = ctx->saved_data["sigma"].toDouble();
    double z = ctx->saved_data["z"].toDouble(), lambda = ctx->saved_data["lambda"].toDouble();
    double clip = ctx->saved_data["clip_sigmas"].toDouble();
    double clamp = ctx->saved_data["grad_clamp"].toDouble();
    auto g = grads[0];
    double G = (g * t).sum().item<double>();  // dL/dalpha
    double n = static_cast<double>(w.numel());
    double dlambda = lambda * (lambda - z);

    torch::Tensor gw;  // stays undefined when the weights are frozen (two-pass update, pass 1)
    if (ctx->needs_input_grad(0)) {
      gw = g;
      if (ctx->saved_data["alpha_grad"].toBool() && sigma > 0) {
        double dalpha_dsigma = lambda - z * dlambda;
        gw = g + G / n + (w - mu) * (G * dalpha_dsigma / ((n - 1.0) * sigma));
      }
    }
    double d = delta.item<double>();
    double sign = (d > 0) - (d < 0);
    double gd = (sigma > 0 && std::abs(d) < clip * sigma) ? G * dlambda * sign : 0.0;
    if (clamp > 0) gd = std::max(-clamp, std::min(clamp, gd));
    return {gw, torch::full_like(delta, gd), torch::Tensor()};
  }
};

class Tga : public Ternarizer {
 public:
  Tga(nlohmann::json params, TgaOptions o, double delta, bool explicit_delta)
      : Ternarizer("tga", std::move(params)), o_(o), explicit_delta_(explicit_delta) {
    delta_ = register_parameter("delta", torch::full({1}, delta));
  }
  torch::Tensor forward(const torch::Tensor& weight) override {
    return TgaFn::apply(weight, delta_, &o_);
  }
  std::vector<TernaryTerm> decompose(const torch::Tensor& weight) override {
    torch::NoGradGuard no_grad;
    auto w = weight.detach().to(torch::kFloat);
    TgaStats s = tga_stats(w, delta_.item<double>(), o_);
    TernaryTerm term;
    term.codes = tga_codes_of(w, s);
    term.scale_pos = torch::full({1}, s.alpha, torch::kFloat);
    term.scale_neg = term.scale_pos.clone();
    term.threshold_hi = torch::full({1}, s.mu + s.delta_c, torch::kFloat);
    term.threshold_lo = torch::full({1}, s.mu - s.delta_c, torch::kFloat);
    return {term};
  }
  // delta = delta_init_frac * max|W| (main_dc.py re-does this after loading pretrained weights).
  // An explicitly configured delta ("delta" parameter) is kept.
  void init_from_weight(const torch::Tensor& weight) override {
    if (explicit_delta_) return;
    torch::NoGradGuard no_grad;
    delta_.fill_(weight.abs().max().item<double>() * o_.delta_init_frac);
  }

 private:
  TgaOptions o_;
  bool explicit_delta_;
  torch::Tensor delta_;
};

}  // namespace

TernarizerInfo tga_info() {
  TrainingPolicy policy;  // main_dc.py: delta has its own optimizer, two passes per step, and is
  policy.own_parameters = TrainingPolicy::OwnParameters::kOwnOptimizer;  // re-derived from loaded
  policy.passes_per_step = 2;                                            // pretrained weights
  policy.reinit_after_loading_weights = true;
  return {
      "tga",
      "CVPR'19 TGA: trainable threshold, truncated-Gaussian scale, closed-form gradients",
      {
          {"delta", nullptr, "initial threshold delta; default delta_init_frac * max|W|"},
          {"delta_init_frac", 0.05, "delta = frac * max|W| at init and after loading weights"},
          {"delta_clip_sigmas", 3.0, "|delta| is clipped to [0, k * std(W)] (reference: 3)"},
          {"delta_grad_clamp", 1e-3, "clamp of dL/ddelta per step (reference hook: 1e-3; 0 = off)"},
          {"alpha_grad", true, "weights also get the gradient through alpha(mu, sigma)"},
      },
      [](const nlohmann::json& p, const std::string& where) -> std::shared_ptr<Ternarizer> {
        TgaOptions o;
        o.delta_init_frac = param_number(p, "delta_init_frac", 0.0, 1.0, where);
        o.clip_sigmas = param_number(p, "delta_clip_sigmas", 0.0, 100.0, where);
        o.grad_clamp = param_number(p, "delta_grad_clamp", 0.0, 1e30, where);
        o.alpha_grad = p.at("alpha_grad").get<bool>();
        double delta = p.at("delta").is_null() ? 0.0 : param_number(p, "delta", -1e30, 1e30, where);
        return std::make_shared<Tga>(p, o, delta, !p.at("delta").is_null());
      },
      policy};
}

}  // namespace tnn::quant
