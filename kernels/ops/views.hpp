// Internal: plain-pointer views of the prepacked plans, handed to the per-ISA kernel files
// (kernels/ops/<op>/*_<isa>.cpp).
// The ISA files are compiled with their own -m flags, so they see only these PODs (no STL
// containers: an inline STL function instantiated there could carry AVX-512 code into the rest
// of the program through the linker's choice of one COMDAT copy).
#pragma once

#include "tnn/kernels/cpu.hpp"

#include <cstdint>

namespace tnn::kernels::cpu {

struct EpilogueView {
  const float* mul;  // [padded rows], identity filled in
  const float* add;
  bool relu;
};

struct LutView {
  int64_t rows, cols, row_blocks, col_blocks;  // col_blocks of kLutBlockCols columns
  int comps;
  const uint32_t* codes[kMaxComponents];
  const float* scale[kMaxComponents];
  EpilogueView ep;
};

struct VnniView {
  int64_t rows, cols, row_blocks, col_blocks;
  int comps;
  const uint32_t* codes[kMaxComponents];
  const float* scale[kMaxComponents];
  const int32_t* wsum[kMaxComponents];
  EpilogueView ep;
};

struct ConvF32View {
  int64_t k, bundles, width, oh, ow, pixels, vectors;  // bundles of `width` output channels
  int terms;
  bool weighted, symmetric;
  int64_t tiles;
  const int32_t* tile_first;
  const int32_t* tile_size;
  int64_t blocks;               // input-channel blocks (ConvF32Plan::block_groups)
  const int32_t* block_groups;  // [(term*bundles + bundle)*blocks + b] .. [+1)
  int64_t partial_offset;       // floats from a thread's scratch region to its partial sums
  const ConvF32Plan::Group* groups;
  const int32_t* offsets;
  const float* weights_a;
  const float* weights_b;
  const float* scale_pos[kMaxTerms];
  const float* scale_neg[kMaxTerms];
  EpilogueView ep;
  // Addressing: image i reads base 0 = in + i*in_stride and base 1 = the copied planes of image
  // i, built in the scratch of the thread that reads them (scratch + thread*scratch_stride);
  // output channel ch of image i starts at out + i*out_stride + ch*out_plane + out_first.
  int64_t in_stride, scratch_stride, out_stride, out_plane, out_first;
  // Fused residual add (Epilogue::residual), or null: the residual tensor has the output's
  // planar layout, so output float out_base + i is added residual[i] before ReLU.
  const float* residual;
  const float* out_base;
};

struct ConvW2A8View {
  int64_t k, kblocks, blocks, oh, ow;
  int comps;
  const uint32_t* codes[kMaxComponents];
  // Weights unpacked to s8 once (ternary_s8_unpacked): [kb][block][quad][16 rows][4], or null.
  const int8_t* unpacked[kMaxComponents];
  const float* scale[kMaxComponents];
  const int32_t* wsum[kMaxComponents];
  const int32_t* quad_offset;  // [blocks*4] bytes from the pixel's first tap
  EpilogueView ep;
  // Input: pixel (oy, ox) of image i reads taps from
  // in + i*in_image + oy*in_row + ox*in_pix (in_row, in_pix already include the stride).
  int64_t in_image, in_row, in_pix;
  float in_scale;
  int32_t in_zero_point;
  // Output element (i, oy, ox, ch) at i*out_image + oy*out_row + ox*out_pix + ch (+ base).
  float* out_f32;
  uint8_t* out_u8;
  int64_t out_image, out_row, out_pix;
  float out_inv_scale;
  int32_t out_zero_point;
  // One component: everything after the int32 sum folded into q = acc * fold_scale + fold_bias
  // (u8 output: already in output steps plus the zero point; f32 output: real values).
  const float* fold_scale;
  const float* fold_bias;
  float fold_low;  // u8: smallest code (the zero point under ReLU, else 0); f32: ReLU floor
};

// The copied tap planes of a conv (ConvF32Plan::planes with copied = true).
struct PlanesView {
  int64_t c, h, w, in_plane;  // input: channels, size, floats per channel plane
  int64_t ow, rows, stride, dy_min, channel_stride;
  int64_t count;                      // copied planes
  const ConvF32Plan::Plane* planes;   // the copied ones, in scratch order
  const uint16_t* const* flat_masks;  // per copied plane, stride 1 only (else null)
  int threads;                        // threads (scratch regions) the conv runs on
};

// Lookup tables for n inputs: 32 floats per 3 columns, 6 groups per column block.
inline int64_t lut_tables_floats(int64_t n, int64_t col_blocks) {
  return n * col_blocks * 6 * 32;
}

// Value of base-3 digit d (0, 1, 2) of a LUT code: weight 0, +1, -1.
inline float lut_digit_value(int d) {
  return d == 0 ? 0.0f : d == 1 ? 1.0f : -1.0f;
}

}  // namespace tnn::kernels::cpu
