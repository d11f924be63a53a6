#include "fill.hpp"

#include "check.hpp"

namespace tnn::bench::gpu {

namespace {

// Counter-based hash (a murmur3-style finalizer): element i of stream `seed` is independent of
// the launch configuration, so inputs are the same on every run and card.
__device__ __forceinline__ uint32_t mix(uint32_t seed, size_t i) {
  uint32_t h = seed * 0x9E3779B9u ^ uint32_t(i) ^ uint32_t(uint64_t(i) >> 32) * 0x85EBCA6Bu;
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return h;
}

__device__ __forceinline__ int act_q(uint32_t seed, size_t i) {
  return int(mix(seed, i) % 129) - 64;
}

template <typename T>
__global__ void fill_act_kernel(T* x, size_t n, uint32_t seed) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n;
       i += size_t(gridDim.x) * blockDim.x) {
    const int q = act_q(seed, i);
    if constexpr (sizeof(T) == 1)
      x[i] = T(q);
    else
      x[i] = T(float(q) * kActScale);
  }
}

__global__ void fill_tg16_kernel(uint32_t* words, int rows, int cols, int ld, float zero_frac,
                                 uint32_t seed) {
  const size_t total = size_t(rows) * ld;
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < total;
       i += size_t(gridDim.x) * blockDim.x) {
    const int t = int(i % ld);
    uint32_t word = 0;
    for (int e = 0; e < 16; ++e) {
      const int k = 16 * t + e;
      const uint32_t h = mix(seed, i * 16 + e);
      uint32_t u = 1;  // weight 0 (also the padding past cols)
      if (k < cols && float(h >> 8) >= zero_frac * 16777216.0f) u = (h & 1) ? 2 : 0;
      word |= u << (8 * (e % 4) + 2 * (e / 4));
    }
    words[i] = word;
  }
}

template <typename T>
__global__ void expand_tg16_kernel(kernels::cuda::TernaryMatrix w, T* dense) {
  const size_t total = size_t(w.rows) * w.cols;
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < total;
       i += size_t(gridDim.x) * blockDim.x) {
    const int r = int(i / w.cols), k = int(i % w.cols), e = k % 16;
    const uint32_t word = w.words[size_t(r) * w.ld_words + k / 16];
    const int code = int((word >> (8 * (e % 4) + 2 * (e / 4))) & 3u) - 1;
    dense[i] = T(float(code) * w.scales[w.per_channel ? r : 0]);
  }
}

dim3 grid_for(size_t n) {
  const size_t blocks = (n + 255) / 256;
  return dim3(unsigned(blocks < 65536 ? (blocks ? blocks : 1) : 65536));
}

}  // namespace

void fill_act(float* x, size_t n, uint32_t seed, cudaStream_t s) {
  fill_act_kernel<<<grid_for(n), 256, 0, s>>>(x, n, seed);
  kernels::cuda::check_launch("fill_act");
}
void fill_act(__half* x, size_t n, uint32_t seed, cudaStream_t s) {
  fill_act_kernel<<<grid_for(n), 256, 0, s>>>(x, n, seed);
  kernels::cuda::check_launch("fill_act");
}
void fill_act(int8_t* x, size_t n, uint32_t seed, cudaStream_t s) {
  fill_act_kernel<<<grid_for(n), 256, 0, s>>>(x, n, seed);
  kernels::cuda::check_launch("fill_act");
}

void fill_tg16(uint32_t* words, int rows, int cols, int ld_words, float zero_frac, uint32_t seed,
               cudaStream_t s) {
  fill_tg16_kernel<<<grid_for(size_t(rows) * ld_words), 256, 0, s>>>(words, rows, cols, ld_words,
                                                                     zero_frac, seed);
  kernels::cuda::check_launch("fill_tg16");
}

void expand_tg16(const kernels::cuda::TernaryMatrix& w, float* dense, cudaStream_t s) {
  expand_tg16_kernel<<<grid_for(size_t(w.rows) * w.cols), 256, 0, s>>>(w, dense);
  kernels::cuda::check_launch("expand_tg16");
}
void expand_tg16(const kernels::cuda::TernaryMatrix& w, __half* dense, cudaStream_t s) {
  expand_tg16_kernel<<<grid_for(size_t(w.rows) * w.cols), 256, 0, s>>>(w, dense);
  kernels::cuda::check_launch("expand_tg16");
}

}  // namespace tnn::bench::gpu
