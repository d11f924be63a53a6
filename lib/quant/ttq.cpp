// TTQ (Zhu, Han, Mao, Dally, ICLR'17): Delta = t * max|W|, levels +W_p / -W_n with W_p, W_n
// trainable per layer (initial 1.0), as in czhu95/ternarynet:examples/Ternary-Net/ternary.py.
//   dL/dW_p = sum_{W > Delta} g,   dL/dW_n = -sum_{W < -Delta} g        (W_n stored as a magnitude)
//   dL/dW   = W_p g (W > Delta),  g (|W| <= Delta),  W_n g (W < -Delta)  (the paper's scaled STE)
#include "methods.hpp"

namespace tnn::quant {
namespace {

std::vector<TernaryTerm> ternarize(const torch::Tensor& weight, const torch::Tensor& wp,
                                   const torch::Tensor& wn, double t) {
  torch::NoGradGuard no_grad;
  auto w = weight.to(torch::kFloat);
  auto delta = w.abs().max() * t;
  TernaryTerm term;
  term.codes = w.gt(delta).to(torch::kInt8) - w.lt(-delta).to(torch::kInt8);
  term.scale_pos = wp.detach().to(torch::kFloat).reshape({1}).clone();
  term.scale_neg = wn.detach().to(torch::kFloat).reshape({1}).clone();
  term.threshold_hi = delta.reshape({1});
  term.threshold_lo = -term.threshold_hi;
  return {term};
}

struct TtqFn : torch::autograd::Function<TtqFn> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor w,
                               torch::Tensor wp, torch::Tensor wn, double t) {
    auto delta = w.abs().max() * t;
    auto pos = w.gt(delta), neg = w.lt(-delta);
    ctx->save_for_backward({pos, neg, wp, wn});
    return pos * wp.reshape({}) - neg * wn.reshape({});
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    auto pos = saved[0], neg = saved[1], wp = saved[2], wn = saved[3];
    auto g = grads[0];
    auto zero = pos.logical_or(neg).logical_not();
    auto gw = g * (pos * wp.reshape({}) + neg * wn.reshape({}) + zero);
    auto gwp = (g * pos).sum().reshape(wp.sizes());
    auto gwn = -(g * neg).sum().reshape(wn.sizes());
    return {gw, gwp, gwn, torch::Tensor()};
  }
};

class Ttq : public Ternarizer {
 public:
  Ttq(nlohmann::json params, double t, double wp, double wn)
      : Ternarizer("ttq", std::move(params)), t_(t) {
    wp_ = register_parameter("wp", torch::full({1}, wp));
    wn_ = register_parameter("wn", torch::full({1}, wn));
  }
  torch::Tensor forward(const torch::Tensor& weight) override {
    return TtqFn::apply(weight, wp_, wn_, t_);
  }
  std::vector<TernaryTerm> decompose(const torch::Tensor& weight) override {
    return ternarize(weight.detach(), wp_, wn_, t_);
  }

 private:
  double t_;
  torch::Tensor wp_, wn_;
};

}  // namespace

TernarizerInfo ttq_info() {
  return {"ttq",
          "TTQ: Delta = threshold*max|W|, learned levels +W_p / -W_n per layer",
          {
              {"threshold", 0.05, "t in Delta = t * max|W| (paper: 0.05)"},
              {"wp", 1.0, "initial W_p (paper: 1.0); learned in training"},
              {"wn", 1.0, "initial W_n, a magnitude (paper: 1.0); learned in training"},
          },
          [](const nlohmann::json& p, const std::string& where) -> std::shared_ptr<Ternarizer> {
            return std::make_shared<Ttq>(p, param_number(p, "threshold", 0.0, 1.0, where),
                                         param_number(p, "wp", -1e30, 1e30, where),
                                         param_number(p, "wn", -1e30, 1e30, where));
          }};
}

}  // namespace tnn::quant
