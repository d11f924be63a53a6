// Full precision: the identity "ternarizer", so FP and ternary runs share one code path.
#include "methods.hpp"

#include <stdexcept>

namespace tnn::quant {
namespace {

class Identity : public Ternarizer {
 public:
  explicit Identity(nlohmann::json params) : Ternarizer("fp", std::move(params)) {}
  torch::Tensor forward(const torch::Tensor& weight) override { return weight; }
  std::vector<TernaryTerm> decompose(const torch::Tensor&) override {
    throw std::logic_error("method 'fp' keeps full-precision weights: it has no ternary terms");
  }
  int terms() const override { return 0; }
};

}  // namespace

TernarizerInfo fp_info() {
  return {
      "fp",
      "full precision (identity): the baseline of every table",
      {},
      [](const nlohmann::json& p, const std::string&) { return std::make_shared<Identity>(p); }};
}

}  // namespace tnn::quant
