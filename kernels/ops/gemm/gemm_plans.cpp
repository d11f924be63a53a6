// Prepacking of ternary matrices for the GEMV/GEMM kernels (LUT layout for FP32 activations,
// VNNI layout for W2A8). Runs once at model load, so it favours clarity.
#include "tnn/kernels/cpu.hpp"
#include "tnn/kernels/pack.hpp"

#include "../common.hpp"
#include "../components.hpp"
#include "gemm_kernels.hpp"

namespace tnn::kernels {

PackedEpilogue PackedEpilogue::make(const Epilogue& e, int64_t rows, int64_t padded_rows) {
  e.validate(rows);
  PackedEpilogue p;
  p.mul.assign(size_t(padded_rows), 1.0f);
  p.add.assign(size_t(padded_rows), 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    if (!e.mul.empty()) p.mul[size_t(r)] = e.mul[size_t(r)];
    if (!e.add.empty()) p.add[size_t(r)] = e.add[size_t(r)];
  }
  p.relu = e.relu;
  return p;
}

size_t LutMatrix::weight_bytes() const {
  size_t b = 0;
  for (const auto& c : codes) b += c.size() * sizeof(uint32_t);
  return b;
}

LutMatrix prepack_lut(const TernaryWeights& w, const Epilogue& epilogue) {
  const auto components = cpu::symmetric_components(w);
  LutMatrix m;
  m.rows = w.rows;
  m.cols = w.cols;
  m.row_blocks = (w.rows + 15) / 16;
  m.col_blocks = (w.cols + kLutBlockCols - 1) / kLutBlockCols;
  const int64_t prow = m.row_blocks * 16;
  for (const auto& comp : components) {
    std::vector<uint32_t> blocks(size_t(m.row_blocks * m.col_blocks * 16), 0);
    std::vector<float> scale(size_t(prow), 0.0f);
    for (int64_t r = 0; r < w.rows; ++r) {
      scale[size_t(r)] = comp.scale[size_t(r)];
      for (int64_t c = 0; c < w.cols; ++c) {
        const int v = comp.codes[size_t(r * w.cols + c)];
        if (v == 0) continue;
        const int64_t cb = c / kLutBlockCols, g = (c % kLutBlockCols) / 3, i = c % 3;
        const uint32_t digit = v > 0 ? 1 : 2, weight = i == 0 ? 1 : i == 1 ? 3 : 9;
        blocks[size_t(lut_block_offset(r / 16, cb, m.col_blocks) + r % 16)] += (digit * weight)
                                                                               << (5 * g);
      }
    }
    m.codes.push_back(std::move(blocks));
    m.scale.push_back(std::move(scale));
  }
  m.epilogue = PackedEpilogue::make(epilogue, w.rows, prow);
  return m;
}

size_t VnniMatrix::weight_bytes() const {
  size_t b = 0;
  for (const auto& c : codes) b += c.size() * sizeof(uint32_t);
  return b;
}

VnniMatrix prepack_vnni(const TernaryWeights& w, const Epilogue& epilogue) {
  const auto components = cpu::symmetric_components(w);
  VnniMatrix m;
  m.rows = w.rows;
  m.cols = w.cols;
  m.row_blocks = (w.rows + 15) / 16;
  m.col_blocks = (w.cols + 15) / 16;
  const int64_t prow = m.row_blocks * 16;
  for (const auto& comp : components) {
    std::vector<uint32_t> blocks(size_t(vnni_code_words(m.row_blocks, m.col_blocks)), 0);
    std::vector<int32_t> wsum(size_t(prow), 0);
    std::vector<float> scale(size_t(prow), 0.0f);
    for (int64_t r = 0; r < prow; ++r) {
      if (r < w.rows) scale[size_t(r)] = comp.scale[size_t(r)];
      for (int64_t c = 0; c < m.col_blocks * 16; ++c) {
        const bool real = r < w.rows && c < w.cols;
        const int v = real ? comp.codes[size_t(r * w.cols + c)] : 0;
        wsum[size_t(r)] += v;
        const int64_t cb = c / 16, q = (c % 16) / 4, j = c % 4;
        blocks[size_t(vnni_block_offset(r / 16, cb, m.col_blocks) + r % 16)] |= uint32_t(v + 1)
                                                                                << (8 * j + 2 * q);
      }
    }
    m.codes.push_back(std::move(blocks));
    m.scale.push_back(std::move(scale));
    m.wsum.push_back(std::move(wsum));
  }
  m.epilogue = PackedEpilogue::make(epilogue, w.rows, prow);
  return m;
}

}  // namespace tnn::kernels

namespace tnn::kernels::ops {

namespace {

// What the LUT and VNNI views share: sizes, each component's codes and scales, the epilogue.
template <class View, class Matrix>
View plan_view(const Matrix& m) {
  View v{};
  v.rows = m.rows;
  v.cols = m.cols;
  v.row_blocks = m.row_blocks;
  v.col_blocks = m.col_blocks;
  v.comps = int(m.codes.size());
  for (int c = 0; c < v.comps; ++c) {
    v.codes[c] = m.codes[size_t(c)].data();
    v.scale[c] = m.scale[size_t(c)].data();
  }
  v.ep = epilogue_view(m.epilogue);
  return v;
}

}  // namespace

cpu::LutView lut_view(const LutMatrix& m) {
  return plan_view<cpu::LutView>(m);
}

cpu::VnniView vnni_view(const VnniMatrix& m) {
  cpu::VnniView v = plan_view<cpu::VnniView>(m);
  for (int c = 0; c < v.comps; ++c) v.wsum[c] = m.wsum[size_t(c)].data();
  return v;
}

}  // namespace tnn::kernels::ops
