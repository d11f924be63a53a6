// torchvision's resizes on PIL images, reproduced bit for bit: the eval transform Resize(resize) +
// CenterCrop(crop), and the train crop's resize (F.resized_crop: crop an integer box, resize it),
// so that pretrained torchvision weights see exactly the pixels they were evaluated with and
// training can use torchvision's exact pixels. PIL's bilinear resize is separable: per axis a
// triangle filter stretched by the reduction factor (so it antialiases), its weights normalised
// per output pixel and rounded to 22-bit fixed point; the horizontal pass runs first and is
// rounded to 8 bits before the vertical one. Only the needed output pixels are computed. No
// LibTorch here.
#include "tnn/imagedata.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tnn::imagedata {

namespace {
constexpr int kFixedBits = 22;  // 32 bits - 8 for the pixel - 2 of headroom, as PIL

// The taps of output samples [o0, o0 + n) of a resize of source samples [src0, src0 + in) to
// `out` samples (PIL resizes the cropped image: taps never leave the box).
struct AxisTaps {
  std::vector<int> first, count;  // per output sample: first source index (absolute), tap count
  std::vector<int32_t> weights;   // `stride` per output sample
  int stride = 0;
  int lo() const { return first.front(); }  // the source range all samples read
  int hi() const {
    int h = 0;
    for (size_t i = 0; i < first.size(); ++i) h = std::max(h, first[i] + count[i]);
    return h;
  }
};

AxisTaps bilinear_taps(int src0, int in, int out, int o0, int n) {
  // The arithmetic follows PIL's order of operations exactly (double precision; truncating
  // int conversions; multiplication by the reciprocal scale): any change moves some weights by
  // one unit of the last fixed-point bit and some pixels by one level.
  const double scale = double(float(in)) / out;
  const double filterscale = std::max(scale, 1.0), support = 1.0 * filterscale;
  const double ss = 1.0 / filterscale;
  AxisTaps t;
  t.stride = int(std::ceil(support)) * 2 + 1;
  t.first.resize(size_t(n));
  t.count.resize(size_t(n));
  t.weights.assign(size_t(n) * size_t(t.stride), 0);
  std::vector<double> w(size_t(t.stride));
  for (int i = 0; i < n; ++i) {
    const double center = 0.0 + (o0 + i + 0.5) * scale;
    const int lo = std::max(int(center - support + 0.5), 0);
    const int hi = std::min(int(center + support + 0.5), in);
    double sum = 0;
    for (int x = lo; x < hi; ++x) {
      double d = (double(x) - center + 0.5) * ss;
      if (d < 0.0) d = -d;
      w[size_t(x - lo)] = d < 1.0 ? 1.0 - d : 0.0;
      sum += w[size_t(x - lo)];
    }
    int32_t* k = &t.weights[size_t(i) * size_t(t.stride)];
    for (int x = 0; x < hi - lo; ++x) {
      const double v = sum != 0.0 ? w[size_t(x)] / sum : w[size_t(x)];
      k[x] = int32_t(v < 0 ? -0.5 + v * (1 << kFixedBits) : 0.5 + v * (1 << kFixedBits));
    }
    t.first[size_t(i)] = src0 + lo;
    t.count[size_t(i)] = hi - lo;
  }
  return t;
}

uint8_t round_fixed(int32_t acc) {
  return uint8_t(std::clamp(acc >> kFixedBits, 0, 255));
}

// torchvision's sizes: the shorter side becomes `resize`, the longer int(resize * long / short);
// CenterCrop's offsets round half to even (Python's round).
struct EvalPlan {
  int resized_w, resized_h, left, top;
  AxisTaps cols, rows;
};

EvalPlan eval_plan(int width, int height, int resize, int crop) {
  if (crop > resize)
    throw std::invalid_argument("exact eval transform: crop " + std::to_string(crop) +
                                " larger than resize " + std::to_string(resize) +
                                " (torchvision would pad)");
  EvalPlan p;
  const bool wide = width > height;  // w <= h: the width is the shorter side
  const int shorter = wide ? height : width, longer = wide ? width : height;
  const int resized_long = int(double(int64_t(resize) * longer) / shorter);
  p.resized_w = wide ? resized_long : resize;
  p.resized_h = wide ? resize : resized_long;
  p.left = int(std::nearbyint((p.resized_w - crop) / 2.0));
  p.top = int(std::nearbyint((p.resized_h - crop) / 2.0));
  p.cols = bilinear_taps(0, width, p.resized_w, p.left, crop);
  p.rows = bilinear_taps(0, height, p.resized_h, p.top, crop);
  return p;
}
}  // namespace

Rect eval_source_region(int width, int height, int resize, int crop) {
  const EvalPlan p = eval_plan(width, height, resize, crop);
  return Rect{double(p.cols.lo()), double(p.rows.lo()), double(p.cols.hi() - p.cols.lo()),
              double(p.rows.hi() - p.rows.lo())};
}

namespace {
// The two passes over the pixels the taps name, into rows.n x cols.n HWC bytes, columns mirrored
// if `flip` (torchvision flips after the resize).
void resample(const Image& img, const AxisTaps& cols, const AxisTaps& rows, bool flip,
              uint8_t* dst) {
  if (img.scaled_width != img.full_width || img.scaled_height != img.full_height)
    throw std::invalid_argument("exact resize: the image was DCT-scaled");
  const int y0 = rows.lo(), y1 = rows.hi();
  if (cols.lo() < img.left || cols.hi() > img.left + img.width || y0 < img.top ||
      y1 > img.top + img.height)
    throw std::invalid_argument("exact resize: the decoded window misses needed pixels");
  const int n_cols = int(cols.first.size()), n_rows = int(rows.first.size());
  const size_t row_len = size_t(n_cols) * 3;
  // Horizontal pass over the source rows the output needs, rounded to 8 bits.
  std::vector<uint8_t> mid(size_t(y1 - y0) * row_len);
  for (int y = y0; y < y1; ++y) {
    const uint8_t* row = img.rgb.data() + (size_t(y - img.top) * size_t(img.width)) * 3;
    uint8_t* out = mid.data() + size_t(y - y0) * row_len;
    for (int j = 0; j < n_cols; ++j) {
      const int32_t* k = &cols.weights[size_t(j) * size_t(cols.stride)];
      const uint8_t* src = row + size_t(cols.first[size_t(j)] - img.left) * 3;
      int32_t acc[3] = {1 << (kFixedBits - 1), 1 << (kFixedBits - 1), 1 << (kFixedBits - 1)};
      for (int t = 0; t < cols.count[size_t(j)]; ++t)
        for (int c = 0; c < 3; ++c) acc[c] += int32_t(src[t * 3 + c]) * k[t];
      const int at = flip ? n_cols - 1 - j : j;
      for (int c = 0; c < 3; ++c) out[at * 3 + c] = round_fixed(acc[c]);
    }
  }
  // Vertical pass, a whole output row at a time (the inner loop vectorises).
  std::vector<int32_t> acc(row_len);
  for (int i = 0; i < n_rows; ++i) {
    const int32_t* k = &rows.weights[size_t(i) * size_t(rows.stride)];
    const uint8_t* src = mid.data() + size_t(rows.first[size_t(i)] - y0) * row_len;
    std::fill(acc.begin(), acc.end(), int32_t(1) << (kFixedBits - 1));
    for (int t = 0; t < rows.count[size_t(i)]; ++t) {
      const uint8_t* line = src + size_t(t) * row_len;
      const int32_t w = k[t];
      for (size_t j = 0; j < row_len; ++j) acc[j] += int32_t(line[j]) * w;
    }
    uint8_t* out = dst + size_t(i) * row_len;
    for (size_t j = 0; j < row_len; ++j) out[j] = round_fixed(acc[j]);
  }
}

void check_box(const Rect& r, int width, int height) {
  const bool whole = r.x == std::floor(r.x) && r.y == std::floor(r.y) && r.w == std::floor(r.w) &&
                     r.h == std::floor(r.h);
  if (!whole || r.w < 1 || r.h < 1 || r.x < 0 || r.y < 0 || r.x + r.w > width || r.y + r.h > height)
    throw std::invalid_argument("exact resize: the crop box must be whole pixels inside the image");
}
}  // namespace

void resize_center_crop_exact(const Image& img, int resize, int crop, uint8_t* dst) {
  const EvalPlan p = eval_plan(img.full_width, img.full_height, resize, crop);
  resample(img, p.cols, p.rows, false, dst);
}

void crop_resize_exact(const Image& img, const Rect& r, int out, bool flip, uint8_t* dst) {
  check_box(r, img.full_width, img.full_height);
  const AxisTaps cols = bilinear_taps(int(r.x), int(r.w), out, 0, out),
                 rows = bilinear_taps(int(r.y), int(r.h), out, 0, out);
  resample(img, cols, rows, flip, dst);
}

}  // namespace tnn::imagedata
