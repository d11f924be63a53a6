// Builds the zero-skipping FP32 conv plan (see ConvF32Plan in cpu.hpp): the tap planes, and per
// bundle of output channels (pair or quad) the taps grouped by their signs in its channels.
// Offsets depend on the input geometry, so a plan is built per layer at model load.
#include "tnn/kernels/cpu.hpp"
#include "tnn/kernels/pack.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

namespace tnn::kernels {

namespace {

// 16-pixel vectors per tile: symmetric pairs keep one accumulator per channel (2 x 12 zmm),
// asymmetric pairs separate +1 and -1 sums (4 x 6 zmm), quads one per channel (4 x 7 zmm).
constexpr int64_t kMaxTileVectorsSymmetric = 12, kMaxTileVectorsAsymmetric = 6,
                  kMaxTileVectorsQuad = 7;

int64_t floor_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// Where tap (ky, kx, c) of output pixel 0 is read from: base (0 input, 1 copies) + offset.
struct TapMap {
  std::vector<int32_t> offset;  // [(ky*kw + kx)*c + ch]
  std::vector<int8_t> base;
  std::vector<int32_t> block;  // input-channel block of the tap
};

// Quads split a bundle's taps over 80 sign patterns instead of 8, so their groups are short, and
// each group ends in branches that the predictor learns only when the same sequence repeats (one
// layer timed alone, or many tiles of one layer). In a network they lose on short tap lists:
// quads everywhere made ResNet-20's 19-conv stack (144-576 taps per bundle) 0.74x as fast as
// pairs, and a threshold of 512 still 0.91x, while 768 leaves ResNet-20 on pairs and makes
// ResNet-18's 16-conv stack 1.07x faster (Zen 4, 2026-12-05;
// results/analysis/conv-f32-quads-amd-zen4-2c.json). So quads need this many taps per block.
constexpr int64_t kQuadMinTaps = 768;

// Bytes a block's tap planes may take while one tile of every bundle walks them: half of Zen 4's
// 1 MiB L2 (Emerald Rapids: 2 MiB). Only layers whose planes overflow it are blocked: ResNet-18's
// 14x14 and 7x7 layers (256-512 channels) run 11-17 % faster, while blocking to fit L1 (a few
// channels per block on 9 aligned planes) made every layer up to 2x slower on the partial-sum
// traffic and per-group overhead (Zen 4, 2026-12-04; docs/kernels.md).
constexpr int64_t kBlockBytes = 512 * 1024;

ConvF32Plan plan_geometry(const ConvShape& shape, bool symmetric, int64_t width, TapMap& taps) {
  ConvShape s = shape;
  s.n = 1;
  s.validate();
  ConvF32Plan p;
  p.shape = s;
  p.symmetric = symmetric;
  p.width = width;
  const int64_t oh = s.oh(), ow = s.ow(), pixels = oh * ow;
  p.vectors = (pixels + 15) / 16;
  const int64_t max_tile = width == 4  ? kMaxTileVectorsQuad
                           : symmetric ? kMaxTileVectorsSymmetric
                                       : kMaxTileVectorsAsymmetric;
  const int64_t ntiles = (p.vectors + max_tile - 1) / max_tile;
  for (int64_t t = 0, first = 0; t < ntiles; ++t) {
    const int64_t size = p.vectors / ntiles + (t < p.vectors % ntiles ? 1 : 0);
    p.tile_first.push_back(int32_t(first));
    p.tile_size.push_back(int32_t(size));
    first += size;
  }
  p.dy_min = floor_div(-s.pad, s.stride);
  const int64_t dy_max = floor_div(s.kh - 1 - s.pad, s.stride);
  p.plane_rows = oh + dy_max - p.dy_min;
  p.channel_stride = round_up(p.plane_rows * ow, 16);
  // The planar input can serve as plane (0, 0, 0) when it has the same rows and stride.
  const PlanarLayout in{s.c, s.h, s.w};
  const bool input_is_plane = s.stride == 1 && ow == s.w && p.dy_min == -1 &&
                              p.plane_rows == s.h + 2 && p.channel_stride == in.plane();
  std::map<std::tuple<int64_t, int64_t, int64_t>, int64_t> plane_of;
  taps.offset.assign(size_t(s.patch()), 0);
  taps.base.assign(size_t(s.patch()), 0);
  taps.block.assign(size_t(s.patch()), 0);
  for (int64_t ky = 0; ky < s.kh; ++ky)
    for (int64_t kx = 0; kx < s.kw; ++kx) {
      const int64_t ay = ky - s.pad, dy = floor_div(ay, s.stride), py = ay - s.stride * dy;
      const int64_t xoff = kx - s.pad;
      // sigma = delta % 16 makes every load of narrow maps (ow % 16 != 0) 64-byte aligned, at
      // the price of more copies and L1 footprint. On Zen 4 (2 x 256-bit loads per zmm) that
      // measured slightly slower on ResNet-20's 8x8 layers; on Intel cores, where a zmm load
      // that splits a cache line costs two, it measured 11-15 % faster (Ice Lake VM, one
      // interleaved run, 2026-12): aligned it is.
      const int64_t delta = (dy - p.dy_min) * ow, sigma = delta % 16;
      const auto key = std::make_tuple(py, xoff, sigma);
      if (!plane_of.count(key)) {
        const bool copied = !(input_is_plane && py == 0 && xoff == 0 && sigma == 0);
        plane_of[key] = copied ? p.copied_planes++ : -1;
        p.planes.push_back({int32_t(py), int32_t(xoff), int32_t(sigma), copied});
      }
      const int64_t plane = plane_of.at(key);
      for (int64_t c = 0; c < s.c; ++c) {
        const size_t i = size_t((ky * s.kw + kx) * s.c + c);
        const int64_t chan = (plane < 0 ? 0 : plane * s.c) + c;
        taps.offset[i] = int32_t(chan * p.channel_stride + delta - sigma);
        taps.base[i] = plane < 0 ? 0 : 1;
      }
    }
  // Input-channel blocks, when there is scratch for partial sums: the floats one channel's
  // planes hold for the tallest tile (its halo rows and sigma included).
  const int64_t tile_reach = 16 * p.tile_size.front() + (p.plane_rows - oh) * ow + 16;
  const int64_t channel_bytes = int64_t(p.planes.size()) * tile_reach * int64_t(sizeof(float));
  p.in_block =
      p.copied_planes == 0 ? s.c : std::clamp<int64_t>(kBlockBytes / channel_bytes, 1, s.c);
  p.blocks = (s.c + p.in_block - 1) / p.in_block;
  for (size_t i = 0; i < taps.block.size(); ++i)
    taps.block[i] = int32_t(int64_t(i) % s.c / p.in_block);
  // Flat copy masks (stride 1, so ow == w and py == 0): A[m] = Q[i], i = m + sigma, is the
  // planar input's float (i + (dy_min+1)*w + xoff) when its row r + dy_min is an image row and
  // its column i % w + xoff stays inside the row.
  if (s.stride == 1 && ow == s.w)
    for (const auto& pl : p.planes) {
      if (!pl.copied) continue;
      std::vector<uint16_t> masks(size_t(p.channel_stride / 16), 0);
      for (int64_t m = 0; m < p.channel_stride; ++m) {
        const int64_t i = m + pl.sigma, iy = i / ow + p.dy_min, col = i % ow + pl.xoff;
        if (i < p.plane_rows * ow && iy >= 0 && iy < s.h && col >= 0 && col < s.w)
          masks[size_t(m / 16)] = uint16_t(masks[size_t(m / 16)] | (1u << (m % 16)));
      }
      p.flat_masks.push_back(std::move(masks));
    }
  return p;
}

// Appends the groups of one (term, bundle): taps sorted by (block, base, signs, offset), with
// the first group of each input-channel block in block_groups. codes[c] is channel c's ternary
// codes (null past the last channel); weighted pairs give w_a, w_b instead.
void add_groups(ConvF32Plan& p, const TapMap& taps, const int8_t* const codes[4], const float* w_a,
                const float* w_b) {
  struct Tap {
    int32_t block;
    int8_t base;
    std::array<int8_t, 4> sign;
    int32_t offset;
    float wa, wb;
  };
  std::vector<Tap> list;
  const bool weighted = w_a != nullptr;
  for (size_t i = 0; i < taps.offset.size(); ++i) {
    Tap t{taps.block[i], taps.base[i], {0, 0, 0, 0}, taps.offset[i], 0.0f, 0.0f};
    if (weighted) {
      t.wa = w_a[i];
      t.wb = w_b ? w_b[i] : 0.0f;
      t.sign[0] = t.wa != 0.0f || t.wb != 0.0f;  // one "dense" pattern
    } else {
      for (int c = 0; c < 4; ++c) t.sign[size_t(c)] = codes[c] ? codes[c][i] : 0;
    }
    if (t.sign == std::array<int8_t, 4>{0, 0, 0, 0}) continue;
    list.push_back(t);
  }
  std::sort(list.begin(), list.end(), [](const Tap& a, const Tap& b) {
    return std::tie(a.block, a.base, a.sign, a.offset) <
           std::tie(b.block, b.base, b.sign, b.offset);
  });
  size_t i = 0;
  for (int32_t block = 0; block < p.blocks; ++block) {
    p.block_groups.push_back(int32_t(p.groups.size()));
    for (bool first = true; i < list.size() && list[i].block == block; ++i, first = false) {
      const Tap& t = list[i];
      if (first || t.base != list[i - 1].base || t.sign != list[i - 1].sign) {
        ConvF32Plan::Group g{int32_t(p.offsets.size()), 0, {}, t.base, {}};
        std::copy(t.sign.begin(), t.sign.end(), g.sign);
        p.groups.push_back(g);
      }
      p.offsets.push_back(t.offset);
      if (weighted) {
        p.weights_a.push_back(t.wa);
        p.weights_b.push_back(t.wb);
      }
      p.groups.back().last = int32_t(p.offsets.size());
    }
  }
}

std::vector<float> padded(std::vector<float> v, int64_t size) {
  v.resize(size_t(size), 0.0f);
  return v;
}

}  // namespace

int64_t ConvF32Plan::planes_floats() const {
  return copied_planes * shape.c * channel_stride;
}

int64_t ConvF32Plan::scratch_floats() const {
  return copied_planes == 0 ? 0 : 2 * kScratchSlack + planes_floats() + partial_floats();
}

size_t ConvF32Plan::entry_bytes() const {
  return offsets.size() * sizeof(int32_t) + (weights_a.size() + weights_b.size()) * sizeof(float) +
         groups.size() * sizeof(Group);
}

ConvF32Plan prepare_conv_f32(const ConvShape& s, const TernaryWeights& w, const Epilogue& epilogue,
                             int64_t width) {
  w.validate();
  if (w.rows != s.k || w.cols != s.patch())
    throw std::invalid_argument("prepare_conv_f32: weights are " + std::to_string(w.rows) + "x" +
                                std::to_string(w.cols) + ", shape " + s.str() + " needs " +
                                std::to_string(s.k) + "x" + std::to_string(s.patch()));
  if (w.terms.size() > size_t(kMaxTerms))
    throw std::invalid_argument("prepare_conv_f32: at most 4 terms");
  if (width != 2 && width != 4)
    throw std::invalid_argument("prepare_conv_f32: width " + std::to_string(width) +
                                ", expected 2 (pairs) or 4 (quads)");
  TapMap taps;
  ConvF32Plan p = plan_geometry(s, w.symmetric(), w.symmetric() ? width : 2, taps);
  if (p.width == 4 && p.in_block * s.kh * s.kw < kQuadMinTaps)
    p = plan_geometry(s, w.symmetric(), 2, taps);
  p.terms = int(w.terms.size());
  const int64_t bundles = p.bundles(), channels = bundles * p.width;
  for (size_t t = 0; t < w.terms.size(); ++t) {
    const auto codes = unpack_ternary(w.terms[t].codes.data(), size_t(w.rows), size_t(w.cols));
    for (int64_t b = 0; b < bundles; ++b) {
      const int8_t* rows[4] = {};
      for (int64_t c = 0; c < p.width && b * p.width + c < s.k; ++c)
        rows[c] = codes.data() + (b * p.width + c) * w.cols;
      add_groups(p, taps, rows, nullptr, nullptr);
    }
    std::vector<float> sp(size_t(channels), 0.0f), sn(size_t(channels), 0.0f);
    for (int64_t k = 0; k < s.k; ++k) {
      sp[size_t(k)] = w.pos(t, k);
      sn[size_t(k)] = w.neg(t, k);
    }
    p.scale_pos.push_back(std::move(sp));
    p.scale_neg.push_back(std::move(sn));
  }
  p.block_groups.push_back(int32_t(p.groups.size()));
  p.epilogue = PackedEpilogue::make(epilogue, s.k, channels);
  p.residual = epilogue.residual;
  return p;
}

ConvF32Plan prepare_conv_f32_dense(const ConvShape& s, const std::vector<float>& w_ohwi,
                                   const Epilogue& epilogue) {
  if (int64_t(w_ohwi.size()) != s.k * s.patch())
    throw std::invalid_argument("prepare_conv_f32_dense: expected " +
                                std::to_string(s.k * s.patch()) + " weights for " + s.str());
  TapMap taps;
  ConvF32Plan p = plan_geometry(s, false, 2, taps) /* pairs, 6-vector tiles */;
  p.weighted = true;
  p.terms = 1;
  const int8_t* const no_codes[4] = {};
  for (int64_t pr = 0; pr < p.bundles(); ++pr) {
    const float* a = w_ohwi.data() + 2 * pr * s.patch();
    const float* b = 2 * pr + 1 < s.k ? a + s.patch() : nullptr;
    add_groups(p, taps, no_codes, a, b);
  }
  p.block_groups.push_back(int32_t(p.groups.size()));
  const int64_t channels = 2 * p.bundles();
  p.scale_pos.assign(1, padded(std::vector<float>(size_t(s.k), 1.0f), channels));
  p.scale_neg.assign(1, std::vector<float>(size_t(channels), 0.0f));
  p.epilogue = PackedEpilogue::make(epilogue, s.k, channels);
  p.residual = epilogue.residual;
  return p;
}

}  // namespace tnn::kernels
