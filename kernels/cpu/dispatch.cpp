// Public entry points of the optimized kernels: resolve the ISA, build the POD views, prepare
// padded inputs / scratch, and call the ISA's kernel table.
#include "views.hpp"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace tnn::kernels {

namespace cpu {

const KernelTable& kernels_for(Isa resolved) {
  switch (resolved) {
    case Isa::kScalar:
      return kScalarKernels;
    case Isa::kAvx2:
      return kAvx2Kernels;
    case Isa::kAvx512:
      return kAvx512Kernels;
    case Isa::kAuto:
      break;
  }
  throw std::logic_error("kernels_for: resolve the ISA first");
}

}  // namespace cpu

namespace {

// Uninitialised 64-byte aligned scratch (the kernels write before they read).
template <class T>
std::unique_ptr<T[], void (*)(void*)> scratch(int64_t count) {
  const size_t bytes = size_t(round_up(std::max<int64_t>(count, 1) * int64_t(sizeof(T)), 64));
  T* p = static_cast<T*>(std::aligned_alloc(64, bytes));
  if (!p) throw std::bad_alloc();
  return {p, std::free};
}

// Per-thread scratch that only grows: conv tap planes are rebuilt on every call, and a fresh
// allocation of a few hundred KB would be an mmap plus page faults each time.
float* thread_scratch(int64_t floats) {
  thread_local AlignedBuffer<float> arena;
  if (int64_t(arena.size()) < floats) arena.resize(size_t(floats));
  return arena.data();
}

cpu::EpilogueView epilogue_view(const PackedEpilogue& e) {
  return {e.mul.data(), e.add.data(), e.relu};
}

cpu::LutView lut_view(const LutMatrix& m) {
  cpu::LutView v{};
  v.rows = m.rows;
  v.cols = m.cols;
  v.row_blocks = m.row_blocks;
  v.col_blocks = m.col_blocks;
  v.comps = int(m.codes.size());
  if (v.comps > kMaxComponents) throw std::invalid_argument("too many LUT components");
  for (int c = 0; c < v.comps; ++c) {
    v.codes[c] = m.codes[size_t(c)].data();
    v.scale[c] = m.scale[size_t(c)].data();
  }
  v.ep = epilogue_view(m.epilogue);
  return v;
}

cpu::VnniView vnni_view(const VnniMatrix& m) {
  cpu::VnniView v{};
  v.rows = m.rows;
  v.cols = m.cols;
  v.row_blocks = m.row_blocks;
  v.col_blocks = m.col_blocks;
  v.comps = int(m.codes.size());
  if (v.comps > kMaxComponents) throw std::invalid_argument("too many W2A8 components");
  for (int c = 0; c < v.comps; ++c) {
    v.codes[c] = m.codes[size_t(c)].data();
    v.scale[c] = m.scale[size_t(c)].data();
    v.wsum[c] = m.wsum[size_t(c)].data();
  }
  v.ep = epilogue_view(m.epilogue);
  return v;
}

}  // namespace

// ---------------------------------------------------------------- GEMV / GEMM, FP32 activations

void gemm_f32(const LutMatrix& w, const float* x, int64_t n, float* y, Isa isa) {
  const auto& k = cpu::kernels_for(resolve_isa(isa));
  const int64_t cp = w.col_blocks * kLutBlockCols;
  auto tables = scratch<float>(cpu::lut_tables_floats(std::min<int64_t>(n, 8), w.col_blocks));
  if (cp == w.cols) {
    k.gemm_f32(lut_view(w), x, n, y, tables.get());
    return;
  }
  auto padded = scratch<float>(n * cp);
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(padded.get() + i * cp, x + i * w.cols, size_t(w.cols) * sizeof(float));
    std::fill(padded.get() + i * cp + w.cols, padded.get() + (i + 1) * cp, 0.0f);
  }
  k.gemm_f32(lut_view(w), padded.get(), n, y, tables.get());
}

void gemv_f32(const LutMatrix& w, const float* x, float* y, Isa isa) {
  gemm_f32(w, x, 1, y, isa);
}

// ---------------------------------------------------------------- GEMV / GEMM, W2A8

void gemm_w2a8(const VnniMatrix& w, const uint8_t* xq, int64_t n, const QuantParams& qp, float* y,
               Isa isa) {
  const auto& k = cpu::kernels_for(resolve_isa(isa));
  const int64_t cp = w.col_blocks * 16;
  auto xs = scratch<int8_t>(n * cp);
  auto xsum = scratch<int32_t>(n);
  for (int64_t i = 0; i < n; ++i) {
    int32_t sum = 0;
    int8_t* row = xs.get() + i * cp;
    for (int64_t c = 0; c < w.cols; ++c) {
      row[c] = int8_t(int32_t(xq[i * w.cols + c]) - 128);
      sum += row[c];
    }
    std::fill(row + w.cols, row + cp, int8_t(0));
    xsum[size_t(i)] = sum;
  }
  k.gemm_w2a8(vnni_view(w), xs.get(), xsum.get(), n, qp.scale, qp.zero_point, y);
}

void gemv_w2a8(const VnniMatrix& w, const uint8_t* xq, const QuantParams& qp, float* y, Isa isa) {
  gemm_w2a8(w, xq, 1, qp, y, isa);
}

// ---------------------------------------------------------------- conv, FP32 activations

namespace {

cpu::ConvF32View conv_f32_view(const ConvF32Plan& p) {
  cpu::ConvF32View v{};
  const ConvShape& s = p.shape;
  v.k = s.k;
  v.pairs = p.pairs();
  v.oh = s.oh();
  v.ow = s.ow();
  v.pixels = v.oh * v.ow;
  v.vectors = p.vectors;
  v.terms = p.terms;
  v.weighted = p.weighted;
  v.symmetric = p.symmetric;
  v.tiles = int64_t(p.tile_first.size());
  v.tile_first = p.tile_first.data();
  v.tile_size = p.tile_size.data();
  v.group_index = p.group_index.data();
  v.groups = p.groups.data();
  v.offsets = p.offsets.data();
  v.weights_a = p.weights_a.data();
  v.weights_b = p.weights_b.data();
  for (int t = 0; t < p.terms; ++t) {
    v.scale_pos[t] = p.scale_pos[size_t(t)].data();
    v.scale_neg[t] = p.scale_neg[size_t(t)].data();
  }
  v.ep = epilogue_view(p.epilogue);
  const PlanarLayout out{s.k, v.oh, v.ow};
  v.out_stride = out.image_stride();
  v.out_plane = out.plane();
  v.out_first = v.ow;
  v.scratch_stride = p.copied_planes * s.c * p.channel_stride;
  return v;
}

}  // namespace

void conv_f32_planar(const ConvF32Plan& p, const float* in, float* out, int64_t n, Isa isa) {
  const auto& k = cpu::kernels_for(resolve_isa(isa));
  cpu::ConvF32View v = conv_f32_view(p);
  const PlanarLayout in_l{p.shape.c, p.shape.h, p.shape.w};
  const PlanarLayout out_l{p.shape.k, p.shape.oh(), p.shape.ow()};
  v.in_stride = in_l.image_stride();
  const float* in0 = in + in_l.image_offset(0);
  float* out0 = out + out_l.image_offset(0);
  if (p.copied_planes == 0) {
    k.conv_f32(v, nullptr, in0, nullptr, out0, n);
    return;
  }
  // Images in chunks whose copies stay within ~1 MiB (L2-sized), built then consumed.
  constexpr int64_t kSlack = 64;
  const int64_t chunk =
      std::clamp<int64_t>((1 << 18) / std::max<int64_t>(v.scratch_stride, 1), 1, n);
  // Tail lanes may read past the last plane: the arena's slack holds finite values (it is
  // zeroed when it grows and only ever holds plane data).
  float* scratch = thread_scratch(2 * kSlack + chunk * v.scratch_stride) + kSlack;
  std::vector<ConvF32Plan::Plane> copied;
  for (const auto& pl : p.planes)
    if (pl.copied) copied.push_back(pl);
  const ConvShape& s = p.shape;
  std::vector<const uint16_t*> masks;
  for (const auto& m : p.flat_masks) masks.push_back(m.data());
  const cpu::PlanesView pv{s.c,
                           s.h,
                           s.w,
                           in_l.plane(),
                           s.ow(),
                           p.plane_rows,
                           s.stride,
                           p.dy_min,
                           p.channel_stride,
                           int64_t(copied.size()),
                           copied.data(),
                           masks.empty() ? nullptr : masks.data()};
  for (int64_t i0 = 0; i0 < n; i0 += chunk) {
    const int64_t count = std::min(chunk, n - i0);
    k.conv_f32(v, &pv, in0 + i0 * v.in_stride, scratch, out0 + i0 * v.out_stride, count);
  }
}

void conv_f32_nhwc(const ConvF32Plan& p, const float* x, float* y, int64_t n, Isa isa) {
  const PlanarLayout in_l{p.shape.c, p.shape.h, p.shape.w};
  const PlanarLayout out_l{p.shape.k, p.shape.oh(), p.shape.ow()};
  AlignedBuffer<float> in(size_t(in_l.buffer_floats(n))), out(size_t(out_l.buffer_floats(n)));
  nhwc_to_planar(x, n, in_l, in.data());
  conv_f32_planar(p, in.data(), out.data(), n, isa);
  planar_to_nhwc(out.data(), n, out_l, y);
}

// ---------------------------------------------------------------- conv, W2A8

void conv_w2a8(const ConvW2A8Plan& p, const uint8_t* in, const U8Layout& in_layout,
               const QuantParams& in_qp, const W2A8Output& out, int64_t n, Isa isa) {
  const auto& kt = cpu::kernels_for(resolve_isa(isa));
  const ConvShape& s = p.shape;
  if (in_layout.cp != p.cp_in || in_layout.c != s.c || in_layout.h != s.h || in_layout.w != s.w)
    throw std::invalid_argument("conv_w2a8: input layout does not match the plan " + s.str());
  if (in_layout.border < s.pad)
    throw std::invalid_argument("conv_w2a8: input border " + std::to_string(in_layout.border) +
                                " is smaller than the padding " + std::to_string(s.pad));
  if ((out.f32 == nullptr) == (out.u8 == nullptr))
    throw std::invalid_argument("conv_w2a8: give exactly one of an f32 or a u8 output");
  if (out.layout.h != s.oh() || out.layout.w != s.ow() || out.layout.cp < s.k)
    throw std::invalid_argument("conv_w2a8: output layout does not match " + s.str());
  if (p.codes.size() > size_t(kMaxComponents))
    throw std::invalid_argument("conv_w2a8: too many components");
  cpu::ConvW2A8View v{};
  v.k = s.k;
  v.kblocks = p.kblocks;
  v.blocks = p.blocks;
  v.oh = s.oh();
  v.ow = s.ow();
  v.comps = int(p.codes.size());
  for (int c = 0; c < v.comps; ++c) {
    v.codes[c] = p.codes[size_t(c)].data();
    v.scale[c] = p.scale[size_t(c)].data();
    v.wsum[c] = p.wsum[size_t(c)].data();
  }
  std::vector<int32_t> quad_offset(p.quad_tap.size(), 0);
  for (size_t q = 0; q < quad_offset.size(); ++q) {
    const int64_t tap = p.quad_tap[q];
    if (tap < 0) continue;
    quad_offset[q] = int32_t((tap / s.kw) * in_layout.row_stride() + (tap % s.kw) * in_layout.cp +
                             p.quad_channel[q]);
  }
  v.quad_offset = quad_offset.data();
  v.ep = epilogue_view(p.epilogue);
  v.in_image = in_layout.image_stride();
  v.in_row = s.stride * in_layout.row_stride();
  v.in_pix = s.stride * in_layout.cp;
  v.in_scale = in_qp.scale;
  v.in_zero_point = in_qp.zero_point;
  const int64_t out_base = out.layout.at(0, 0, 0, 0);
  v.out_f32 = out.f32 ? out.f32 + out_base : nullptr;
  v.out_u8 = out.u8 ? out.u8 + out_base : nullptr;
  v.out_image = out.layout.image_stride();
  v.out_row = out.layout.row_stride();
  v.out_pix = out.layout.cp;
  v.out_inv_scale = 1.0f / out.qp.scale;
  v.out_zero_point = out.qp.zero_point;
  // Single component: fold input scale, weight scale, affine, output scale and zero points:
  // r = mul*(in_scale*scale*(acc - zp_in*wsum)) + add, q = r/out_scale + zp_out.
  std::vector<float> fold_scale, fold_bias;
  if (v.comps == 1) {
    const int64_t pk = p.kblocks * 16;
    const bool to_u8 = out.u8 != nullptr;
    const float inv = to_u8 ? v.out_inv_scale : 1.0f, zp = to_u8 ? float(v.out_zero_point) : 0.0f;
    fold_scale.resize(size_t(pk));
    fold_bias.resize(size_t(pk));
    for (int64_t k = 0; k < pk; ++k) {
      const float mul = p.epilogue.mul[size_t(k)], add = p.epilogue.add[size_t(k)];
      const float sc = mul * (in_qp.scale * p.scale[0][size_t(k)]);
      fold_scale[size_t(k)] = sc * inv;
      fold_bias[size_t(k)] =
          (add - sc * float(int64_t(in_qp.zero_point) * p.wsum[0][size_t(k)])) * inv + zp;
    }
    v.fold_scale = fold_scale.data();
    v.fold_bias = fold_bias.data();
    v.fold_low = to_u8 ? (p.epilogue.relu ? zp : 0.0f) : 0.0f;
  }
  // Pixel (0, 0) reads its first tap at row/column border - pad of the padded input.
  const uint8_t* first = in + (in_layout.border - s.pad) * (in_layout.row_stride() + in_layout.cp);
  kt.conv_w2a8(v, first, n);
}

void conv_w2a8_nhwc(const ConvW2A8Plan& p, const uint8_t* xq, const QuantParams& qp, float* y,
                    int64_t n, Isa isa) {
  const ConvShape& s = p.shape;
  U8Layout in_l = U8Layout::make(s.c, s.h, s.w, 4, s.pad);
  in_l.cp = p.cp_in;
  AlignedBuffer<uint8_t> in(static_cast<size_t>(in_l.buffer_bytes(n)));
  nhwc_to_u8_layout(xq, n, in_l, uint8_t(qp.zero_point), in.data());
  W2A8Output out;
  out.f32 = y;
  out.layout.c = s.k;
  out.layout.h = s.oh();
  out.layout.w = s.ow();
  out.layout.cp = s.k;
  out.layout.border = 0;
  conv_w2a8(p, in.data(), in_l, qp, out, n, isa);
}

// ---------------------------------------------------------------- elementwise helpers

namespace {

// Runs f(first, count) over chunks of a range, in parallel when it is large.
template <class F>
void chunked(int64_t count, F&& f) {
  constexpr int64_t kChunk = 1 << 14;
  const int64_t chunks = (count + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) f(c * kChunk, std::min(kChunk, count - c * kChunk));
}

}  // namespace

void add_f32(const float* a, const float* b, float* y, int64_t count, bool relu, Isa isa) {
  const auto& k = cpu::kernels_for(resolve_isa(isa));
  chunked(count, [&](int64_t i, int64_t m) { k.add_f32(a + i, b + i, y + i, m, relu); });
}

void add_requantize_u8(const uint8_t* a, const QuantParams& qa, const uint8_t* b,
                       const QuantParams& qb, uint8_t* y, const QuantParams& qy, int64_t count,
                       bool relu, Isa isa) {
  const auto& k = cpu::kernels_for(resolve_isa(isa));
  const cpu::AddU8Params p{qa.scale,      qb.scale, 1.0f / qy.scale, qa.zero_point, qb.zero_point,
                           qy.zero_point, relu};
  chunked(count, [&](int64_t i, int64_t m) { k.add_u8(a + i, b + i, y + i, m, p); });
}

void quantize_u8(const float* x, int64_t count, const QuantParams& qp, uint8_t* q, Isa isa) {
  const auto& k = cpu::kernels_for(resolve_isa(isa));
  const float inv = 1.0f / qp.scale;
  chunked(count, [&](int64_t i, int64_t m) { k.quantize_u8(x + i, q + i, m, inv, qp.zero_point); });
}

}  // namespace tnn::kernels
