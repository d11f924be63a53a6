// MAC-weighted sparsity and the ideal zero-skipping speed-ups quoted in the reports.
#include "tnn/kernels/sparsity.hpp"

#include <limits>

namespace tnn::kernels {

double mac_weighted_sparsity(const std::vector<LayerSparsity>& layers) {
  double macs = 0, zeros = 0;
  for (const auto& l : layers) {
    macs += double(l.macs);
    zeros += double(l.macs) * l.zero_fraction;
  }
  return macs == 0 ? 0.0 : zeros / macs;
}

double mac_weighted_ternary_sparsity(const std::vector<LayerSparsity>& layers) {
  std::vector<LayerSparsity> t;
  for (const auto& l : layers)
    if (l.ternary) t.push_back(l);
  return mac_weighted_sparsity(t);
}

double ideal_skip_speedup(double sparsity) {
  return sparsity >= 1.0 ? std::numeric_limits<double>::infinity() : 1.0 / (1.0 - sparsity);
}

double ideal_model_speedup(const std::vector<LayerSparsity>& layers) {
  double before = 0, after = 0;
  for (const auto& l : layers) {
    before += double(l.macs);
    after += double(l.macs) * (l.ternary ? 1.0 - l.zero_fraction : 1.0);
  }
  if (after == 0) return before == 0 ? 1.0 : std::numeric_limits<double>::infinity();
  return before / after;
}

}  // namespace tnn::kernels
