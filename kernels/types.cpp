#include "tnn/kernels/types.hpp"

#include "tnn/kernels/pack.hpp"

namespace tnn::kernels {

std::string ConvShape::str() const {
  return "C" + std::to_string(c) + "-K" + std::to_string(k) + "-H" + std::to_string(h) + "-W" +
         std::to_string(w) + "-k" + std::to_string(kh) +
         (kh == kw ? "" : "x" + std::to_string(kw)) + "-s" + std::to_string(stride) + "-p" +
         std::to_string(pad) + "-n" + std::to_string(n);
}

void ConvShape::validate() const {
  if (n < 1 || h < 1 || w < 1 || c < 1 || k < 1 || kh < 1 || kw < 1 || stride < 1 || pad < 0)
    throw std::invalid_argument("conv shape " + str() + ": every size must be positive");
  if (oh() < 1 || ow() < 1)
    throw std::invalid_argument("conv shape " + str() + ": the kernel does not fit the input");
}

bool TernaryWeights::symmetric() const {
  for (const auto& t : terms)
    if (t.scale_pos != t.scale_neg) return false;
  return true;
}

void TernaryWeights::validate() const {
  if (rows < 1 || cols < 1) throw std::invalid_argument("ternary weights: empty matrix");
  if (terms.empty()) throw std::invalid_argument("ternary weights: no term");
  const size_t bytes = size_t(rows) * packed_row_bytes(size_t(cols));
  for (size_t t = 0; t < terms.size(); ++t) {
    const auto& term = terms[t];
    const std::string where = "ternary weights term " + std::to_string(t) + ": ";
    if (term.codes.size() != bytes)
      throw std::invalid_argument(where + "codes hold " + std::to_string(term.codes.size()) +
                                  " bytes, expected " + std::to_string(bytes));
    for (const auto* s : {&term.scale_pos, &term.scale_neg})
      if (s->size() != 1 && s->size() != size_t(rows))
        throw std::invalid_argument(where + "a scale vector must hold 1 or " +
                                    std::to_string(rows) + " values, not " +
                                    std::to_string(s->size()));
    if (term.scale_pos.size() != term.scale_neg.size())
      throw std::invalid_argument(where + "scale_pos and scale_neg differ in length");
  }
}

std::vector<float> TernaryWeights::dense() const {
  std::vector<float> w(size_t(rows * cols), 0.0f);
  for (size_t t = 0; t < terms.size(); ++t) {
    auto codes = unpack_ternary(terms[t].codes.data(), size_t(rows), size_t(cols));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        int8_t v = codes[size_t(r * cols + c)];
        if (v > 0) w[size_t(r * cols + c)] += pos(t, r);
        if (v < 0) w[size_t(r * cols + c)] -= neg(t, r);
      }
  }
  return w;
}

TernaryWeights make_ternary(int64_t rows, int64_t cols,
                            const std::vector<std::vector<int8_t>>& codes,
                            const std::vector<std::vector<float>>& scale_pos,
                            const std::vector<std::vector<float>>& scale_neg) {
  if (codes.size() != scale_pos.size() || codes.size() != scale_neg.size())
    throw std::invalid_argument("make_ternary: codes and scales disagree on the number of terms");
  TernaryWeights w;
  w.rows = rows;
  w.cols = cols;
  for (size_t t = 0; t < codes.size(); ++t) {
    if (codes[t].size() != size_t(rows * cols))
      throw std::invalid_argument("make_ternary: term " + std::to_string(t) + " has " +
                                  std::to_string(codes[t].size()) + " codes, expected " +
                                  std::to_string(rows * cols));
    w.terms.push_back(
        {pack_ternary(codes[t].data(), size_t(rows), size_t(cols)), scale_pos[t], scale_neg[t]});
  }
  w.validate();
  return w;
}

void Epilogue::validate(int64_t channels) const {
  for (const auto* v : {&mul, &add})
    if (!v->empty() && v->size() != size_t(channels))
      throw std::invalid_argument("epilogue: expected 0 or " + std::to_string(channels) +
                                  " per-channel values, got " + std::to_string(v->size()));
}

}  // namespace tnn::kernels
