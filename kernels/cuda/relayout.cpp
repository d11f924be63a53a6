// pack.hpp layout -> tg16 GPU layout (see tnn/kernels/cuda.hpp). Plain host code, done once per
// matrix at load time; tested on machines without a GPU.
#include "tnn/kernels/cuda.hpp"
#include "tnn/kernels/pack.hpp"

#include <stdexcept>
#include <string>

namespace tnn::kernels::cuda {

namespace {
// Bit position of element i (0..15) inside its word.
inline int tg16_shift(int i) {
  return 8 * (i % 4) + 2 * (i / 4);
}
}  // namespace

int tg16_ld_words(int cols) {
  const int words = (cols + kTg16CodesPerWord - 1) / kTg16CodesPerWord;
  return (words + 3) / 4 * 4;
}

HostTernaryMatrix relayout_tg16(const uint8_t* packed, int rows, int cols) {
  if (rows < 0 || cols < 0) throw std::invalid_argument("relayout_tg16: negative shape");
  HostTernaryMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.ld_words = tg16_ld_words(cols);
  // 0x55555555: every 2-bit field is u = 1, i.e. weight 0, so padding needs no second pass.
  m.words.assign(size_t(rows) * size_t(m.ld_words), 0x55555555u);
  const size_t rb = packed_row_bytes(size_t(cols));
  for (int r = 0; r < rows; ++r) {
    const uint8_t* src = packed + size_t(r) * rb;
    uint32_t* dst = m.words.data() + size_t(r) * size_t(m.ld_words);
    for (int c = 0; c < cols; ++c) {
      const uint32_t bits = (src[c / 4] >> (2 * (c % 4))) & 0b11u;
      uint32_t u;
      if (bits == kCodeZero)
        u = 1;
      else if (bits == kCodePlus)
        u = 2;
      else if (bits == kCodeMinus)
        u = 0;
      else
        throw std::invalid_argument("relayout_tg16: invalid code 0b11 at row " + std::to_string(r) +
                                    ", col " + std::to_string(c));
      const int s = tg16_shift(c % kTg16CodesPerWord);
      uint32_t& word = dst[c / kTg16CodesPerWord];
      word = (word & ~(3u << s)) | (u << s);
    }
  }
  return m;
}

std::vector<int8_t> decode_tg16(const HostTernaryMatrix& m) {
  std::vector<int8_t> out(size_t(m.rows) * size_t(m.cols));
  for (int r = 0; r < m.rows; ++r) {
    const uint32_t* row = m.words.data() + size_t(r) * size_t(m.ld_words);
    for (int c = 0; c < m.cols; ++c) {
      const uint32_t u = (row[c / kTg16CodesPerWord] >> tg16_shift(c % kTg16CodesPerWord)) & 3u;
      if (u == 3) throw std::invalid_argument("decode_tg16: invalid code 3");
      out[size_t(r) * size_t(m.cols) + size_t(c)] = int8_t(int(u) - 1);
    }
  }
  return out;
}

}  // namespace tnn::kernels::cuda
