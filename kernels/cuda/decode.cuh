// Decoding of tg16 words (layout in tnn/kernels/cuda.hpp). Code u = w + 1 sits at bits
// 8 b + 2 j for element 4 j + b, so each helper is a shift and one LOP3 plus at most one
// arithmetic op per 1, 2 or 4 weights. Host-callable too, so tests/cuda/test_decode.cu checks
// the bit tricks on machines without a GPU.
#pragma once

#include "tnn/kernels/cuda.hpp"

#include <cuda_fp16.h>

#include <cstdint>
#include <cstring>

#define TNN_HD __host__ __device__ __forceinline__

namespace tnn::kernels::cuda::detail {

// PRMT: bytes of {b:a} picked by the 4 selector nibbles of s (no sign-replication mode).
TNN_HD uint32_t byte_perm(uint32_t a, uint32_t b, uint32_t s) {
#ifdef __CUDA_ARCH__
  return __byte_perm(a, b, s);
#else
  const uint64_t v = (uint64_t(b) << 32) | a;
  uint32_t r = 0;
  for (int i = 0; i < 4; ++i) r |= uint32_t((v >> (8 * ((s >> (4 * i)) & 7))) & 0xFF) << (8 * i);
  return r;
#endif
}

// Word with every code u = 1 (weight 0): what rows and columns outside the matrix decode to.
constexpr uint32_t kZeroWord = 0x55555555u;

// Unsigned codes u of elements 4 j .. 4 j + 3 as 4 bytes (for dp4a with the sum-of-x fix-up).
TNN_HD uint32_t codes_u8x4(uint32_t w, int j) {
  return (w >> (2 * j)) & 0x03030303u;
}

// Signed int8 weights u - 1 of elements 4 j .. 4 j + 3. Setting bit 7 of each byte first keeps
// the subtraction from borrowing across bytes; the XOR removes it again.
TNN_HD uint32_t weights_s8x4(uint32_t w, int j) {
  return ((codes_u8x4(w, j) | 0x80808080u) - 0x01010101u) ^ 0x80808080u;
}

// Bit casts between a 32-bit word and half2 (its low 16 bits are .x).
TNN_HD __half2 as_half2(uint32_t bits) {
  __half2_raw r;
  r.x = uint16_t(bits & 0xFFFFu);
  r.y = uint16_t(bits >> 16);
  return __half2(r);
}
TNN_HD uint32_t as_u32(__half2 h) {
  const __half2_raw r(h);
  return uint32_t(r.x) | (uint32_t(r.y) << 16);
}

// FP32 weight of element i (0..15): 2^23 + u has u in its low mantissa bits, so one FADD
// removes 2^23 + 1 exactly.
TNN_HD float weight_f32(uint32_t w, int i) {
  const uint32_t bits = 0x4B000000u | ((w >> (8 * (i % 4) + 2 * (i / 4))) & 3u);
  float f;
  memcpy(&f, &bits, sizeof(f));
  return f - 8388609.0f;
}

// Two FP16 weights: elements (4 j + b, 4 j + b + 2) for b in {0, 1}, i.e. bytes b and b + 2.
// 0x6400 is 1024.0 in FP16, whose ulp is 1, so 1024 + u minus 1025 is exact.
TNN_HD __half2 weights_f16x2(uint32_t w, int j, int b) {
  const uint32_t bits = ((w >> (2 * j + 8 * b)) & 0x00030003u) | 0x64006400u;
  return __hsub2(as_half2(bits), as_half2(0x64016401u));
}

// FP16 weights of elements 4 j .. 4 j + 3 in k order as two half2 {k, k+1}, {k+2, k+3}.
TNN_HD void weights_f16x4(uint32_t w, int j, uint32_t& lo, uint32_t& hi) {
  const uint32_t ua = as_u32(weights_f16x2(w, j, 0));  // k = 4j, 4j+2
  const uint32_t ub = as_u32(weights_f16x2(w, j, 1));  // k = 4j+1, 4j+3
  lo = byte_perm(ua, ub, 0x5410);                      // {a.x, b.x} = {4j, 4j+1}
  hi = byte_perm(ua, ub, 0x7632);                      // {a.y, b.y} = {4j+2, 4j+3}
}

// Scale of output row n (per-channel or per-layer).
__device__ __forceinline__ float row_scale(const TernaryMatrix& w, int n) {
  return w.scales[w.per_channel ? n : 0];
}

}  // namespace tnn::kernels::cuda::detail
