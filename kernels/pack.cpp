#include "tnn/kernels/pack.hpp"

#include <stdexcept>
#include <string>

namespace tnn::kernels {

std::vector<uint8_t> pack_ternary(const int8_t* codes, size_t rows, size_t cols) {
  const size_t rb = packed_row_bytes(cols);
  std::vector<uint8_t> out(rows * rb, 0);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) {
      int8_t v = codes[r * cols + c];
      uint8_t bits;
      if (v == 0)
        bits = kCodeZero;
      else if (v == 1)
        bits = kCodePlus;
      else if (v == -1)
        bits = kCodeMinus;
      else
        throw std::invalid_argument("pack_ternary: code " + std::to_string(int(v)) + " at row " +
                                    std::to_string(r) + ", col " + std::to_string(c) +
                                    " is not in {-1, 0, +1}");
      out[r * rb + c / 4] |= uint8_t(bits << (2 * (c % 4)));
    }
  }
  return out;
}

std::vector<int8_t> unpack_ternary(const uint8_t* packed, size_t rows, size_t cols) {
  const size_t rb = packed_row_bytes(cols);
  std::vector<int8_t> out(rows * cols);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) {
      uint8_t bits = (packed[r * rb + c / 4] >> (2 * (c % 4))) & 0b11;
      if (bits == 0b11)
        throw std::invalid_argument("unpack_ternary: invalid code 0b11 at row " +
                                    std::to_string(r) + ", col " + std::to_string(c));
      out[r * cols + c] = bits == kCodePlus ? 1 : (bits == kCodeMinus ? -1 : 0);
    }
  }
  return out;
}

}  // namespace tnn::kernels
