// Builds the W2A8 conv plan: the patch (ky, kx, c) is cut into quads of 4 channels of one tap
// (one vpdpbusd lane group), 4 quads make a 64-byte block of 16 output channels.
#include "../components.hpp"

#include "tnn/kernels/cpu.hpp"

namespace tnn::kernels {

size_t ConvW2A8Plan::weight_bytes() const {
  size_t b = 0;
  for (const auto& c : codes) b += c.size() * sizeof(uint32_t);
  return b;
}

ConvW2A8Plan prepare_conv_w2a8(const ConvShape& shape, const TernaryWeights& w, int64_t cp_in,
                               const Epilogue& epilogue) {
  ConvShape s = shape;
  s.n = 1;
  s.validate();
  if (w.rows != s.k || w.cols != s.patch())
    throw std::invalid_argument("prepare_conv_w2a8: weights are " + std::to_string(w.rows) + "x" +
                                std::to_string(w.cols) + ", shape " + s.str() + " needs " +
                                std::to_string(s.k) + "x" + std::to_string(s.patch()));
  if (cp_in < s.c || cp_in % 4 != 0)
    throw std::invalid_argument("prepare_conv_w2a8: channel stride " + std::to_string(cp_in) +
                                " must be a multiple of 4 and >= " + std::to_string(s.c));
  const auto components = cpu::symmetric_components(w);
  ConvW2A8Plan p;
  p.shape = s;
  p.cp_in = cp_in;
  p.kblocks = (s.k + 15) / 16;
  const int64_t quads_per_tap = (s.c + 3) / 4;
  p.quads = s.kh * s.kw * quads_per_tap;
  p.blocks = (p.quads + 3) / 4;
  p.quad_tap.assign(size_t(p.blocks * 4), -1);
  p.quad_channel.assign(size_t(p.blocks * 4), 0);
  for (int64_t q = 0; q < p.quads; ++q) {
    p.quad_tap[size_t(q)] = int32_t(q / quads_per_tap);
    p.quad_channel[size_t(q)] = int32_t(4 * (q % quads_per_tap));
  }
  const int64_t pk = p.kblocks * 16;
  for (const auto& comp : components) {
    std::vector<uint32_t> codes(size_t(p.kblocks * p.blocks * 16), 0);
    std::vector<int32_t> wsum(size_t(pk), 0);
    std::vector<float> scale(size_t(pk), 0.0f);
    for (int64_t k = 0; k < pk; ++k) {
      if (k < s.k) scale[size_t(k)] = comp.scale[size_t(k)];
      for (int64_t q = 0; q < p.blocks * 4; ++q)
        for (int64_t j = 0; j < 4; ++j) {
          const int64_t tap = p.quad_tap[size_t(q)], ch = p.quad_channel[size_t(q)] + j;
          int v = 0;
          if (k < s.k && tap >= 0 && ch < s.c)
            v = comp.codes[size_t(k * s.patch() + tap * s.c + ch)];
          wsum[size_t(k)] += v;
          codes[size_t(((k / 16) * p.blocks + q / 4) * 16 + k % 16)] |= uint32_t(v + 1)
                                                                        << (8 * j + 2 * (q % 4));
        }
    }
    p.codes.push_back(std::move(codes));
    p.scale.push_back(std::move(scale));
    p.wsum.push_back(std::move(wsum));
  }
  p.epilogue = PackedEpilogue::make(epilogue, s.k, pk);
  return p;
}

}  // namespace tnn::kernels
