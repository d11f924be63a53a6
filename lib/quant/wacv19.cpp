// WACV'19 (He, Gong, Fan): fixed threshold Delta = delta * max|W|, "statistical weight scaling"
// alpha = mean|W| over the kept weights, hard-tanh-window STE, no gradient to alpha; and its
// residual expansion (REL): t_ex terms with growing thresholds on the same latent W.
//
// Reference: elliothe/Ternarized_Neural_Network:models/tern_resnet_cifar.py (_quanFunc) and
// models/ResNet_REL_tex{2,4}.py. Quirks kept by default (each a parameter):
//  - reference_quirk: +1 where W >= Delta, -1 where W < -Delta, alpha's mask |W| >= Delta (so a
//    weight exactly at -Delta counts in alpha but is set to 0). Off: -1 where W <= -Delta.
//  - rel_grad_scale "terms": every REL branch passes the full gradient back, so the latent W gets
//    t_ex x dL/dW_eff. "one": the plain STE gradient.
//  - rel_bias "per_term": the REL FC adds its bias once per branch (t_ex x b). "once": one bias.
#include "methods.hpp"

namespace tnn::quant {
namespace {

struct Wacv19Options {
  std::vector<double> deltas;  // one per term
  bool reference_quirk = true;
  double ste_clip = 1.0;  // gradient window |W| < ste_clip; <= 0 means identity STE
  double grad_scale = 1.0;
  int bias_multiplier = 1;
};

std::vector<TernaryTerm> wacv19_ternarize(const torch::Tensor& weight, const Wacv19Options& o) {
  torch::NoGradGuard no_grad;
  auto w = weight.to(torch::kFloat);
  auto absw = w.abs();
  auto maxabs = absw.max();
  std::vector<TernaryTerm> terms;
  for (double d : o.deltas) {
    auto delta = maxabs * d;  // float32 arithmetic, as the reference (tensor * python float)
    auto pos = w.ge(delta);
    auto neg = o.reference_quirk ? w.lt(-delta) : w.le(-delta);
    auto kept = w.ge(delta).logical_or(w.le(-delta));
    // Empty kept set (only when max|W| = 0): alpha = 0 instead of the reference's NaN.
    auto alpha = (absw * kept).sum() / kept.sum().clamp_min(1);
    TernaryTerm t;
    t.codes = pos.to(torch::kInt8) - neg.to(torch::kInt8);
    t.scale_pos = alpha.reshape({1}).to(torch::kFloat);
    t.scale_neg = t.scale_pos.clone();
    t.threshold_hi = delta.reshape({1});
    t.threshold_lo = -t.threshold_hi;
    terms.push_back(std::move(t));
  }
  return terms;
}

struct Wacv19Fn : torch::autograd::Function<Wacv19Fn> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor w,
                               const Wacv19Options* o) {
    ctx->save_for_backward({w});
    ctx->saved_data["ste_clip"] = o->ste_clip;
    ctx->saved_data["grad_scale"] = o->grad_scale;
    auto eff = torch::zeros_like(w);
    for (const auto& t : wacv19_ternarize(w, *o))
      eff += t.codes.to(w.scalar_type()) * t.scale_pos.reshape({}).to(w.scalar_type());
    return eff;
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto w = ctx->get_saved_variables()[0];
    double clip = ctx->saved_data["ste_clip"].toDouble();
    double scale = ctx->saved_data["grad_scale"].toDouble();
    auto g = grads[0];
    if (clip > 0) g = g * w.abs().lt(clip).to(g.scalar_type());  // zero where |W| >= clip
    if (scale != 1.0) g = g * scale;
    return {g, torch::Tensor()};
  }
};

class Wacv19 : public Ternarizer {
 public:
  Wacv19(nlohmann::json params, Wacv19Options o)
      : Ternarizer("wacv19", std::move(params)), o_(std::move(o)) {}
  torch::Tensor forward(const torch::Tensor& weight) override {
    return Wacv19Fn::apply(weight, &o_);
  }
  std::vector<TernaryTerm> decompose(const torch::Tensor& weight) override {
    return wacv19_ternarize(weight.detach(), o_);
  }
  int terms() const override { return static_cast<int>(o_.deltas.size()); }
  int bias_multiplier() const override { return o_.bias_multiplier; }

 private:
  Wacv19Options o_;
};

std::shared_ptr<Ternarizer> make_wacv19(const nlohmann::json& p, const std::string& where) {
  Wacv19Options o;
  int terms = static_cast<int>(param_number(p, "terms", 1, 16, where));
  if (p.at("terms").get<double>() != terms)
    throw std::invalid_argument(where + ".terms: expected an integer, got " + p.at("terms").dump());
  if (p.at("deltas").is_null()) {
    for (int k = 1; k <= terms; ++k) o.deltas.push_back(0.05 * k);  // 0.05, 0.10, 0.15, 0.20
  } else {
    const auto& d = p.at("deltas");
    if (!d.is_array() || static_cast<int>(d.size()) != terms)
      throw std::invalid_argument(where + ".deltas: expected an array of " + std::to_string(terms) +
                                  " numbers (one per term), got " + d.dump());
    for (const auto& x : d) {
      if (!x.is_number() || x.get<double>() < 0 || x.get<double>() > 1)
        throw std::invalid_argument(
            where + ".deltas: expected fractions of max|W| in [0, 1], got " + d.dump());
      o.deltas.push_back(x.get<double>());
    }
  }
  o.reference_quirk = p.at("reference_quirk").get<bool>();
  std::string ste = param_choice(p, "ste", {"hardtanh_clip", "identity"}, where);
  o.ste_clip = ste == "identity" ? 0.0 : param_number(p, "ste_clip", 1e-12, 1e30, where);
  bool grad_times_terms = param_choice(p, "rel_grad_scale", {"terms", "one"}, where) == "terms";
  o.grad_scale = grad_times_terms ? terms : 1.0;
  bool bias_per_term = param_choice(p, "rel_bias", {"per_term", "once"}, where) == "per_term";
  o.bias_multiplier = bias_per_term ? terms : 1;
  return std::make_shared<Wacv19>(p, std::move(o));
}

}  // namespace

TernarizerInfo wacv19_info() {
  return {
      "wacv19",
      "WACV'19: Delta = delta*max|W|, alpha = mean|W| over kept weights, clipped STE; "
      "terms > 1 = residual expansion",
      {
          {"terms", 1, "residual-expansion terms t_ex (1 = plain ternary; paper: 1, 2, 4)"},
          {"deltas", nullptr,
           "threshold fractions of max|W| per term; default 0.05*k (0.05, 0.10, 0.15, 0.20)"},
          {"reference_quirk", true,
           "reference code's asymmetry: +1 if W >= D, -1 if W < -D, alpha over |W| >= D"},
          {"ste", "hardtanh_clip",
           "hardtanh_clip: gradient zero where |W| >= ste_clip; identity: no window"},
          {"ste_clip", 1.0, "the hard-tanh window of the STE"},
          {"rel_grad_scale", "terms",
           "terms: latent W gets t_ex x dL/dW_eff (reference code); one: plain STE"},
          {"rel_bias", "per_term", "per_term: REL FC bias added t_ex times (reference code); once"},
      },
      make_wacv19};
}

}  // namespace tnn::quant
