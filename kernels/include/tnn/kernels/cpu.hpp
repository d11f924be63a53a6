// The prepacked weight layouts ("plans") of the optimized CPU ternary kernels. Weights are
// prepacked once (at model load); the kernels that run them are registered in the operation
// registry (ops.hpp), one implementation per ISA under kernels/ops/<op>/.
//
//  * gemv_f32 / gemm_f32   FP32 activations, multiplication-free table lookup: for every 3
//                          columns a 32-entry table of the 27 signed sums +-x0 +-x1 +-x2; each
//                          output row adds T[base-3 code of its 3 weights] (vpermt2ps on
//                          AVX-512). 5 bits per 3 weights (1.67 bits/weight).
//  * gemv_w2a8 / gemm_w2a8 u8 activations (per-tensor scale + zero point), 2-bit weights
//                          unpacked in registers, VNNI vpdpbusd (AVX2: pmaddubsw), int32 sums.
//  * conv_f32              FP32 activations, zero-skipping: per output channel, lists of the
//                          input offsets of its +1 and -1 taps; vectorized over 16 output pixels
//                          of the planar layout (add-only, no multiplies until the scale).
//  * conv_w2a8             u8 activations (padded NHWC), 16 output channels per vector,
//                          2-bit weights unpacked per register tile, vpdpbusd.
// Layouts: docs/kernels.md; the planar and padded-u8 activation layouts: layout.hpp.
#pragma once

#include "tnn/kernels/isa.hpp"
#include "tnn/kernels/layout.hpp"
#include "tnn/kernels/types.hpp"

#include <cstdint>
#include <vector>

namespace tnn::kernels {

constexpr int kMaxTerms = 4;  // residual-expansion terms per layer

// Offsets (in uint32) of weight block (row block rb, column block cb) in the GEMV/GEMM layouts.
// LUT (FP32): row-block major, so the 4 row blocks a GEMV walks at once are 4 streams, each
// with its own hardware prefetcher (the kernel consumes them slowly; measured best).
inline int64_t lut_block_offset(int64_t rb, int64_t cb, int64_t col_blocks) {
  return (rb * col_blocks + cb) * 16;
}
// VNNI (W2A8): groups of 4 row blocks interleaved per column block, so the same walk is one
// sequential stream (the fast int8 kernel is DRAM-bound; one stream measured 1.3x faster cold).
inline int64_t vnni_block_offset(int64_t rb, int64_t cb, int64_t col_blocks) {
  return (((rb / 4) * col_blocks + cb) * 4 + rb % 4) * 16;
}
inline int64_t vnni_code_words(int64_t row_blocks, int64_t col_blocks) {
  return (row_blocks + 3) / 4 * 4 * col_blocks * 16;
}
constexpr int kMaxComponents = 8;  // W2A8: an asymmetric term becomes 2 symmetric components

// Per-row epilogue after prepacking: padded to whole 16-row blocks, identity filled in.
struct PackedEpilogue {
  std::vector<float> mul, add;
  bool relu = false;
  static PackedEpilogue make(const Epilogue& e, int64_t rows, int64_t padded_rows);
};

// ---- FP32 activations: table-lookup GEMV / GEMM ----
// Components as for W2A8 (below): symmetric terms as they are, an asymmetric one split in two.
// Per component: blocks of 16 rows x 18 columns, one uint32 per row holding 6 fields of 5 bits;
// field g (bits 5g..5g+4) is the base-3 code d0 + 3 d1 + 9 d2 of columns 3g..3g+2 of the
// block, digit 0 / 1 / 2 for weight 0 / +1 / -1. Columns are padded with zeros to 18.
constexpr int64_t kLutBlockCols = 18;
struct LutMatrix {
  int64_t rows = 0, cols = 0, row_blocks = 0, col_blocks = 0;
  std::vector<std::vector<uint32_t>> codes;  // [component][lut_block_offset(rb, cb) + row]
  std::vector<std::vector<float>> scale;     // [component][row_blocks*16]
  PackedEpilogue epilogue;
  size_t weight_bytes() const;  // codes only
};
LutMatrix prepack_lut(const TernaryWeights& w, const Epilogue& epilogue = {});

// ---- W2A8: u8 activations x 2-bit weights ----
// Each term becomes 1 symmetric component (codes w, scale s) or, when scale_pos != scale_neg,
// 2 components: (w, (s+ + s-)/2) and (|w|, (s+ - s-)/2). Per component: blocks of 16 rows x 16
// columns, one uint32 per row holding u = w + 1 in {0,1,2}; byte j, bits 2q..2q+1 is column
// 4q + j, so a shift and a mask give the 4-column groups vpdpbusd consumes.
struct VnniMatrix {
  int64_t rows = 0, cols = 0, row_blocks = 0, col_blocks = 0;
  std::vector<std::vector<uint32_t>> codes;  // [component][vnni_block_offset(rb, cb) + row]
  std::vector<std::vector<float>> scale;     // [component][row_blocks*16]
  std::vector<std::vector<int32_t>> wsum;    // [component][row_blocks*16]: sum of w over a row
  PackedEpilogue epilogue;
  size_t weight_bytes() const;
};
VnniMatrix prepack_vnni(const TernaryWeights& w, const Epilogue& epilogue = {});

// ---- FP32 activations: zero-skipping direct convolution on the planar layout ----
// The taps of a conv read "tap planes": copies of the input, one per (row phase py, column
// offset xoff), holding Q[ch][r][q] = x[ch][s*(r+dy_min)+py][s*q+xoff] (zeros outside the image
// baked in), so that no load needs a lane mask and every tap's 16-pixel vector load is 64-byte
// aligned (for maps whose width is not a multiple of 16, a plane is stored sigma floats early:
// one plane per (py, xoff, sigma), see conv_f32_plan.cpp). The plane (0, 0, 0) of a stride-1
// "same" conv is the planar input itself (zero-copy). Output channels are processed in bundles
// of `width` channels: every tap (plane offset) of a bundle is listed once with the signs it has
// in each channel, so one load feeds up to `width` adds. Pairs (width 2) serve every kernel;
// quads (width 4, symmetric ternary plans of the AVX-512 kernel) halve the loads per add again.
struct ConvF32Plan {
  ConvShape shape;        // n is ignored; the batch is an argument of the run functions
  bool weighted = false;  // dense FP32 weights (one FMA per tap) instead of +-1 lists
  bool symmetric = true;  // scale_pos == scale_neg: one accumulator per channel (add / sub)
  int terms = 0;
  int64_t width = 2;                           // output channels per bundle: 2 or 4
  int64_t vectors = 0;                         // ceil(oh*ow / 16)
  std::vector<int32_t> tile_first, tile_size;  // pixel tiles, in 16-pixel vectors
  // Entry groups per (term, bundle): taps with one sign pattern (sign[c]: the tap's sign in
  // channel c of the bundle, 0 past `width`), read from one base (0: the planar input, 1: the
  // copied planes).
  struct Group {
    int32_t first, last;
    int8_t sign[4];
    int8_t base, pad_[3];
  };
  // Input-channel blocks: a (term, bundle)'s groups are sorted by block of in_block input
  // channels first, so a kernel can walk one block for many bundles while that block's tap planes
  // stay in L2, keeping partial sums in between (AVX-512); walking them all in a row gives the
  // same sums. block_groups[(term*bundles + bundle)*blocks + b] .. [+1): the groups of block b,
  // so the whole (term, bundle) is [(term*bundles + bundle)*blocks] .. [(... + 1)*blocks).
  int64_t in_block = 0, blocks = 1;
  std::vector<int32_t> block_groups;
  std::vector<Group> groups;
  std::vector<int32_t> offsets;             // tap offsets (floats) from the group's base
  std::vector<float> weights_a, weights_b;  // weighted plans only (pairs)
  std::vector<std::vector<float>> scale_pos, scale_neg;  // [term][bundles*width]
  PackedEpilogue epilogue;                               // padded to bundles*width channels
  bool residual = false;  // Epilogue::residual: the run adds RunArgs::in2 before ReLU
  // Tap planes. plane_copied: planes that are built by a copy (the zero-copy one is not).
  struct Plane {
    int32_t py, xoff, sigma;
    bool copied;
  };
  std::vector<Plane> planes;
  // Stride 1: a copied plane is the input channel plane shifted by sigma + xoff floats with the
  // columns that would wrap zeroed; flat_masks[i][v] = lanes of vector v that keep their value.
  std::vector<std::vector<uint16_t>> flat_masks;  // per copied plane (empty for stride > 1)
  int64_t plane_rows = 0, dy_min = 0, channel_stride = 0, copied_planes = 0;
  int64_t bundles() const { return (shape.k + width - 1) / width; }
  // Floats of one thread's scratch: its copied planes (one image) with kScratchSlack before and
  // after, then, when blocked, the partial sums of every bundle (partial_floats()).
  static constexpr int64_t kScratchSlack = 64;
  // Partial sums per (bundle, term): up to 28 vectors of 16 floats (pairs: 2 x 12 symmetric,
  // 4 x 6 otherwise; quads: 4 x 7).
  static constexpr int64_t kPartialFloats = 28 * 16;
  int64_t scratch_floats() const;
  int64_t planes_floats() const;
  int64_t partial_floats() const { return blocks > 1 ? bundles() * terms * kPartialFloats : 0; }
  size_t entry_bytes() const;
};
// width 4 asks for quads; plans with asymmetric scales stay pairs (their separate +1 and -1
// sums would leave room for tiles of 3 vectors only).
ConvF32Plan prepare_conv_f32(const ConvShape& s, const TernaryWeights& w,
                             const Epilogue& epilogue = {}, int64_t width = 2);
ConvF32Plan prepare_conv_f32_dense(const ConvShape& s, const std::vector<float>& w_ohwi,
                                   const Epilogue& epilogue = {});

// ---- W2A8 convolution on the padded u8 NHWC layout ----
struct ConvW2A8Plan {
  ConvShape shape;
  int64_t cp_in = 0;  // input channel stride the plan was built for
  int64_t kblocks = 0, quads = 0, blocks = 0;
  std::vector<std::vector<uint32_t>> codes;  // [component][kb][block][16], u = w+1
  std::vector<std::vector<float>> scale;     // [component][kblocks*16]
  std::vector<std::vector<int32_t>> wsum;    // [component][kblocks*16]
  std::vector<int32_t> quad_tap;             // per quad: tap index ky*kw+kx (-1 for padding)
  std::vector<int32_t> quad_channel;         // per quad: first input channel
  PackedEpilogue epilogue;
  size_t weight_bytes() const;
};
ConvW2A8Plan prepare_conv_w2a8(const ConvShape& s, const TernaryWeights& w, int64_t cp_in,
                               const Epilogue& epilogue = {});

// ---- dense FP32 reference for the GEMV roofline ----
// Hand-written AVX-512 GEMV (4 rows x 16 lanes of FMA, OpenMP over rows) that streams a
// row-major W [rows][cols] at DRAM speed: the roofline reference of the GEMV benchmarks, next
// to oneDNN (whose M=1 path is ~1.5x off it). Throws on CPUs without AVX-512F.
void gemv_dense_f32_avx512(const float* w, int64_t rows, int64_t cols, const float* x, float* y);

}  // namespace tnn::kernels
