// Internal: W2A8 kernels compute one integer dot product per component, so every ternary term
// is split into symmetric components (see VnniMatrix in cpu.hpp).
#pragma once

#include "tnn/kernels/types.hpp"

#include <cstdint>
#include <vector>

namespace tnn::kernels::cpu {

struct SymmetricComponent {
  std::vector<int8_t> codes;  // rows x cols in {-1, 0, +1}
  std::vector<float> scale;   // per row
};

// s+ P - s- M = (s+ + s-)/2 (P - M) + (s+ - s-)/2 (P + M): a symmetric term gives one
// component, an asymmetric one a second with codes |w|.
std::vector<SymmetricComponent> symmetric_components(const TernaryWeights& w);

}  // namespace tnn::kernels::cpu
