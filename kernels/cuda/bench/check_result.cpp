#include "check_result.hpp"

#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tnn::bench::gpu {

namespace {
bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}
}  // namespace

Role role_of(const std::string& impl) {
  return impl.rfind("cuda_ternary", 0) == 0 ? Role::ours : Role::baseline;
}

double baseline_bound(const std::string& impl) {
  if (ends_with(impl, "_tf32") || ends_with(impl, "_f16")) return std::ldexp(1.0, -9);
  return 1e-5;
}

CheckResult compare_to_reference(const std::vector<float>& y, const std::vector<float>& ref,
                                 bool half_out, const std::string& impl) {
  if (y.size() != ref.size())
    throw std::invalid_argument("compare_to_reference: " + std::to_string(y.size()) +
                                " outputs for " + std::to_string(ref.size()) + " reference values");
  CheckResult c;
  for (size_t i = 0; i < y.size(); ++i) {
    const float want = half_out ? __half2float(__float2half_rn(ref[i])) : ref[i];
    c.max_abs_ref = std::max(c.max_abs_ref, double(std::fabs(ref[i])));
    if (std::isnan(y[i])) {
      ++c.nan;
      ++c.differing;
      continue;
    }
    if (y[i] != want) ++c.differing;
    c.max_abs_diff = std::max(c.max_abs_diff, std::fabs(double(y[i]) - double(want)));
  }
  c.max_rel_diff = c.max_abs_ref > 0 ? c.max_abs_diff / c.max_abs_ref : c.max_abs_diff;
  if (c.differing == 0) {
    c.verdict = "exact";
  } else if (role_of(impl) == Role::ours) {
    c.verdict = "MISMATCH";
  } else {
    // A baseline may also lose one FP16 output rounding (2^-11 relative) on top of its bound.
    const double allowed =
        baseline_bound(impl) * c.max_abs_ref + (half_out ? std::ldexp(c.max_abs_ref, -11) : 0.0);
    c.verdict = c.nan == 0 && c.max_abs_diff <= allowed ? "close" : "DIFFERS";
  }
  return c;
}

}  // namespace tnn::bench::gpu
