#include "components.hpp"

#include "tnn/kernels/cpu.hpp"
#include "tnn/kernels/pack.hpp"

#include <cstdlib>

namespace tnn::kernels::cpu {

std::vector<SymmetricComponent> symmetric_components(const TernaryWeights& w) {
  w.validate();
  if (w.terms.size() > size_t(kMaxTerms))
    throw std::invalid_argument("at most " + std::to_string(kMaxTerms) + " ternary terms, got " +
                                std::to_string(w.terms.size()));
  std::vector<SymmetricComponent> out;
  for (size_t t = 0; t < w.terms.size(); ++t) {
    SymmetricComponent sym{unpack_ternary(w.terms[t].codes.data(), size_t(w.rows), size_t(w.cols)),
                           std::vector<float>(size_t(w.rows))};
    SymmetricComponent mag{std::vector<int8_t>(sym.codes.size()),
                           std::vector<float>(size_t(w.rows))};
    bool asymmetric = false;
    for (int64_t r = 0; r < w.rows; ++r) {
      const float sp = w.pos(t, r), sn = w.neg(t, r);
      sym.scale[size_t(r)] = 0.5f * (sp + sn);
      mag.scale[size_t(r)] = 0.5f * (sp - sn);
      asymmetric |= sp != sn;
    }
    if (asymmetric)
      for (size_t i = 0; i < sym.codes.size(); ++i) mag.codes[i] = int8_t(std::abs(sym.codes[i]));
    out.push_back(std::move(sym));
    if (asymmetric) out.push_back(std::move(mag));
  }
  return out;
}

}  // namespace tnn::kernels::cpu
