// Links tnn::kernels only (no LibTorch): packs a ternary matrix, runs the reference GEMV and
// measures its footprint; exits non-zero when a result is wrong.
#include "tnn/kernels/measures.hpp"
#include "tnn/kernels/ref.hpp"

#include <cstdio>

int main() {
  using namespace tnn::kernels;
  // W = [[+1, 0, -1, 0], [0, +1, +1, 0]] * 0.5, x = (1, 2, 3, 4): y = (-1, 2.5).
  const auto w = make_ternary(2, 4, {{1, 0, -1, 0, 0, 1, 1, 0}}, {{0.5f}}, {{0.5f}});
  const std::vector<float> x = {1, 2, 3, 4};
  std::vector<float> y(2);
  ref::gemv(w, x.data(), y.data());
  const double zeros = zero_fraction_all_terms(w);
  std::printf("y = (%g, %g), zeros %.3f, %.1f bits per weight\n", y[0], y[1], zeros,
              layer_footprint("w", LayerWeights{true, {}, w}).bits_per_weight());
  return (y[0] == -1.0f && y[1] == 2.5f && zeros == 0.5) ? 0 : 1;
}
