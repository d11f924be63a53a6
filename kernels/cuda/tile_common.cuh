// Shared pieces of the tiled (GEMM / implicit-GEMM conv) kernels. A block owns a BM x BN output
// tile and walks K in chunks of 64, which is one 16-byte load (4 tg16 words) per weight row.
#pragma once

#include "decode.cuh"
#include "index_maps.hpp"

#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>

namespace tnn::kernels::cuda::detail {

// Word q of weight row n for K chunk kc; rows past N decode to zeros.
__device__ __forceinline__ uint32_t tile_word(const TernaryMatrix& w, int n, int kc, int q) {
  return n < w.rows ? __ldg(w.words + size_t(n) * size_t(w.ld_words) + size_t(kc) * 4 + q)
                    : kZeroWord;
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
