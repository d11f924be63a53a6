#include "cases.hpp"
#include "fill.hpp"

#include <cmath>
#include <random>

namespace tnn::bench::gpu {

namespace {
std::vector<float> pow2_scales(int rows, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> e(-2, 2);
  std::vector<float> s(static_cast<size_t>(rows));
  for (auto& v : s) v = std::ldexp(1.0f, e(rng));
  return s;
}
}  // namespace

BenchWeights::BenchWeights(int rows, int cols, float zero_frac, uint32_t seed, cudaStream_t s)
    : words(size_t(rows) * size_t(kernels::cuda::tg16_ld_words(cols))),
      // Uploaded on `s`: expand_tg16 and the kernels read the scales on that (non-blocking) stream.
      scales(pow2_scales(rows, seed), s) {
  view.words = words.get();
  view.scales = scales.get();
  view.rows = rows;
  view.cols = cols;
  view.ld_words = kernels::cuda::tg16_ld_words(cols);
  view.per_channel = true;
  fill_tg16(words.get(), rows, cols, view.ld_words, zero_frac, seed, s);
}

}  // namespace tnn::bench::gpu
