// 2-bit packing of ternary codes: the storage format of .tnn models and the input of every
// packed kernel (kernels re-layout at load time if they want another order).
//
// Layout (documented in docs/packed-format.md):
//   code  0 -> 0b00,  +1 -> 0b01,  -1 -> 0b10   (0b11 is invalid and rejected by unpack)
//   a matrix of `rows` x `cols` codes is stored row by row; row r starts at byte r * row_bytes,
//   row_bytes = ceil(cols / 4); element c of a row sits in byte c / 4 at bits 2*(c % 4) .. +1
//   (little-endian within the byte); padding codes at the end of a row are 0.
// A conv weight [K][C][kh][kw] is packed as rows = K, cols = C*kh*kw in the order of its
// layout (the .tnn writer uses K x (kh*kw*C), i.e. OHWI, to match NHWC activations).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tnn::kernels {

constexpr uint8_t kCodeZero = 0b00, kCodePlus = 0b01, kCodeMinus = 0b10;

inline size_t packed_row_bytes(size_t cols) {
  return (cols + 3) / 4;
}

// codes: rows*cols values in {-1, 0, +1} (throws std::invalid_argument on anything else).
std::vector<uint8_t> pack_ternary(const int8_t* codes, size_t rows, size_t cols);
// Inverse of pack_ternary; throws std::invalid_argument on the invalid code 0b11.
std::vector<int8_t> unpack_ternary(const uint8_t* packed, size_t rows, size_t cols);

}  // namespace tnn::kernels
