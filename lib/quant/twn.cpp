// TWN (Li & Liu, arXiv 1605.04711): Delta = factor * mean|W|, alpha = mean|W| over |W| > Delta,
// T = sign(W) * [|W| > Delta], identity STE, alpha without gradient.
// Variants: the v1 paper (factor 0.7, one Delta/alpha per layer, the default) and the authors'
// official PyTorch code Thinklab-SJTU/twns:cls/util.py (factor 0.75, per output channel).
#include "methods.hpp"

namespace tnn::quant {
namespace {

struct TwnOptions {
  double factor = 0.7;
  bool per_channel = false;
};

// mean over everything (shape [1]) or over all dims but the first (shape [C]).
torch::Tensor twn_reduce_mean(const torch::Tensor& x, bool per_channel) {
  if (!per_channel || x.dim() < 2) return x.mean().reshape({1});
  return x.reshape({x.size(0), -1}).mean(1);
}
torch::Tensor twn_reduce_sum(const torch::Tensor& x, bool per_channel) {
  if (!per_channel || x.dim() < 2) return x.sum().reshape({1});
  return x.reshape({x.size(0), -1}).sum(1);
}

std::vector<TernaryTerm> twn_ternarize(const torch::Tensor& weight, const TwnOptions& o) {
  torch::NoGradGuard no_grad;
  auto w = weight.to(torch::kFloat);
  auto absw = w.abs();
  auto delta = twn_reduce_mean(absw, o.per_channel) * o.factor;
  auto kept = absw.gt(broadcast_per_channel(delta, w));
  // Empty kept set (all-zero weights): alpha = 0.
  auto alpha = twn_reduce_sum(absw * kept, o.per_channel) /
               twn_reduce_sum(kept.to(torch::kFloat), o.per_channel).clamp_min(1);
  TernaryTerm t;
  t.codes = (w.sign() * kept).to(torch::kInt8);
  t.scale_pos = alpha;
  t.scale_neg = alpha.clone();
  t.threshold_hi = delta;
  t.threshold_lo = -delta;
  return {t};
}

struct TwnFn : torch::autograd::Function<TwnFn> {
  static torch::Tensor forward(torch::autograd::AutogradContext*, torch::Tensor w,
                               const TwnOptions* o) {
    return effective_weight(twn_ternarize(w, *o)).to(w.scalar_type());
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext*,
                                               torch::autograd::tensor_list grads) {
    return {grads[0], torch::Tensor()};  // identity STE
  }
};

class Twn : public Ternarizer {
 public:
  Twn(nlohmann::json params, TwnOptions o) : Ternarizer("twn", std::move(params)), o_(o) {}
  torch::Tensor forward(const torch::Tensor& weight) override { return TwnFn::apply(weight, &o_); }
  std::vector<TernaryTerm> decompose(const torch::Tensor& weight) override {
    return twn_ternarize(weight.detach(), o_);
  }

 private:
  TwnOptions o_;
};

}  // namespace

TernarizerInfo twn_info() {
  return {"twn",
          "TWN: Delta = factor*mean|W|, alpha = mean|W| over |W| > Delta, identity STE",
          {
              {"factor", 0.7, "threshold factor: 0.7 (v1 paper) or 0.75 (authors' code)"},
              {"granularity", "layer", "layer (paper) or out_channel (authors' code)"},
          },
          [](const nlohmann::json& p, const std::string& where) -> std::shared_ptr<Ternarizer> {
            TwnOptions o;
            o.factor = param_number(p, "factor", 0.0, 10.0, where);
            o.per_channel =
                param_choice(p, "granularity", {"layer", "out_channel"}, where) == "out_channel";
            return std::make_shared<Twn>(p, o);
          }};
}

}  // namespace tnn::quant
