// Shared pieces of the tiled (GEMM / implicit-GEMM conv) kernels. A block owns a BM x BN output
// tile and walks K in chunks of 64, which is one 16-byte load (4 tg16 words) per weight row.
#pragma once

#include "decode.cuh"

#include <cuda_runtime.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace tnn::kernels::cuda::detail {

constexpr int kBK = 64;

// Word q of weight row n for K chunk kc; rows past N decode to zeros.
__device__ __forceinline__ uint32_t tile_word(const TernaryMatrix& w, int n, int kc, int q) {
  return n < w.rows ? __ldg(w.words + size_t(n) * size_t(w.ld_words) + size_t(kc) * 4 + q)
                    : kZeroWord;
}

// Grid of a tiled launch. M tiles go on grid.x (up to 2^31 - 1 blocks): a batch-128 conv at
// 224^2 has M = 6.4 M rows, past the 65535 x 64 that grid.y allows. N tiles (output channels)
// go on grid.y, which caps N at 65535 tiles; more is refused with a clear error.
inline dim3 tile_grid(int m, int n, int bm, int bn) {
  if (m <= 0 || n <= 0) throw std::invalid_argument("cuda gemm: empty shape");
  const long long m_tiles = (static_cast<long long>(m) + bm - 1) / bm;
  const long long n_tiles = (static_cast<long long>(n) + bn - 1) / bn;
  if (n_tiles > 65535)
    throw std::invalid_argument("cuda gemm: N = " + std::to_string(n) + " needs " +
                                std::to_string(n_tiles) + " column tiles of " + std::to_string(bn) +
                                ", more than grid.y allows (65535)");
  if (m > std::numeric_limits<int>::max() - bm)  // keeps blockIdx.x * bm + bm within int
    throw std::invalid_argument("cuda gemm: M = " + std::to_string(m) + " is too large");
  return dim3(static_cast<unsigned>(m_tiles), static_cast<unsigned>(n_tiles));
}

inline void check_tile_args(const TernaryMatrix& w, int m, const void* x, const void* y) {
  if (w.rows <= 0 || w.cols <= 0 || m <= 0) throw std::invalid_argument("cuda gemm: empty shape");
  if (w.ld_words != tg16_ld_words(w.cols))
    throw std::invalid_argument("cuda gemm: ld_words does not match the tg16 layout");
  if (!w.words || !w.scales || !x || !y) throw std::invalid_argument("cuda gemm: null pointer");
}

// Whole 16-byte chunks of x are allowed when x is aligned and no chunk straddles a row (dense)
// or a filter tap (conv): `elems` is K (dense) or C (conv).
inline bool chunks_aligned(const void* x, int elems, int elem_bytes) {
  return reinterpret_cast<uintptr_t>(x) % 16 == 0 && (elems * elem_bytes) % 16 == 0;
}

}  // namespace tnn::kernels::cuda::detail
