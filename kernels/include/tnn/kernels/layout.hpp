// Activation layouts of the optimized kernels and conversions from/to plain NHWC.
//
// Planar FP32 (ternary_f32 engine, conv_f32): per image [C][plane()] floats, i.e. one channel
// plane after another, each holding H+2 rows of W floats: one zero row above and one below the
// image rows, so a 3x3 stride-1 conv reads its vertical neighbours without a bounds check. The
// plane size is rounded up to 16 floats (64 bytes) so every channel starts cache-line aligned.
// Images are image_stride() floats apart; kSlack zero floats sit before the first and after
// the last image because the vector kernels read (and discard) up to 16 floats past the end.
//
// Padded u8 NHWC (ternary_s8 engine, conv_w2a8): per image [H+2b][W+2b][Cp] bytes with a border
// of b pixels holding the zero point, and Cp = channels rounded up to a multiple of 4 (inputs)
// or 16 (conv outputs); the extra channels hold the zero point and meet zero weights.
#pragma once

#include "tnn/kernels/types.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace tnn::kernels {

inline int64_t round_up(int64_t v, int64_t m) {
  return (v + m - 1) / m * m;
}

// 64-byte aligned, zero-initialised storage (cache-line aligned for the SIMD kernels).
template <class T>
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t count) { resize(count); }
  void resize(size_t count) {
    const size_t bytes = round_up(int64_t(count * sizeof(T)) + 1, 64);
    data_.reset(static_cast<T*>(std::aligned_alloc(64, bytes)));
    if (!data_) throw std::bad_alloc();
    std::memset(static_cast<void*>(data_.get()), 0, bytes);
    size_ = count;
  }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  size_t size() const { return size_; }
  T& operator[](size_t i) { return data_.get()[i]; }
  const T& operator[](size_t i) const { return data_.get()[i]; }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> data_;
  size_t size_ = 0;
};

struct PlanarLayout {
  int64_t c = 0, h = 0, w = 0;
  static constexpr int64_t kSlack = 64;

  int64_t plane() const { return round_up((h + 2) * w, 16); }
  int64_t image_stride() const { return round_up(c * plane(), 16); }
  int64_t buffer_floats(int64_t n) const { return 2 * kSlack + n * image_stride(); }
  // Offset of image n's first float (channel 0, top zero row) in a buffer.
  int64_t image_offset(int64_t n) const { return kSlack + n * image_stride(); }
  // Offset of element (n, c, y, x) with y, x in image coordinates.
  int64_t at(int64_t n, int64_t ch, int64_t y, int64_t x) const {
    return image_offset(n) + ch * plane() + (y + 1) * w + x;
  }
};

struct U8Layout {
  int64_t c = 0, h = 0, w = 0;
  int64_t cp = 0;      // channel stride (>= c, multiple of 4)
  int64_t border = 1;  // zero-point pixels around the image

  static U8Layout make(int64_t c, int64_t h, int64_t w, int64_t channel_multiple, int64_t border);
  int64_t row_stride() const { return (w + 2 * border) * cp; }
  int64_t image_stride() const { return (h + 2 * border) * row_stride(); }
  int64_t buffer_bytes(int64_t n) const { return n * image_stride() + 64; }
  int64_t at(int64_t n, int64_t y, int64_t x, int64_t ch) const {
    return n * image_stride() + (y + border) * row_stride() + (x + border) * cp + ch;
  }
};

// NHWC float <-> planar (the planar buffer must come from buffer_floats(n), zeroed).
void nhwc_to_planar(const float* x, int64_t n, const PlanarLayout& l, float* planar);
void planar_to_nhwc(const float* planar, int64_t n, const PlanarLayout& l, float* x);
// NHWC u8 (c channels, no border) -> padded layout; border and extra channels get `fill`.
void nhwc_to_u8_layout(const uint8_t* x, int64_t n, const U8Layout& l, uint8_t fill, uint8_t* out);
// Fills a padded u8 buffer's border and extra channels with `fill` (the zero point).
void fill_u8_border(uint8_t* buf, int64_t n, const U8Layout& l, uint8_t fill);

}  // namespace tnn::kernels
