// Image decoding for the ImageNet loader: libjpeg-turbo for ordinary JPEGs, decoding only what the
// crop needs; OpenCV's imdecode for what libjpeg cannot turn into RGB (CMYK/YCCK JPEGs, PNGs named
// .JPEG: ILSVRC-2012 train holds a few of each). No LibTorch here.
//
// libjpeg-turbo's libjpeg API rather than its TurboJPEG API: Debian 12's TurboJPEG (2.1) cannot
// crop, while jpeg_crop_scanline / jpeg_skip_scanlines decode only the crop's rows and columns
// (Huffman decoding still runs over every row: it is sequential, and it finds damaged files).
#include "tnn/imagedata.hpp"

#include <cstdio>  // jpeglib.h needs FILE and size_t declared first

#include <jpeglib.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <stdexcept>

namespace tnn::imagedata {

namespace {
// libjpeg reports errors through error_exit, which must not return: we longjmp back to the
// setjmp of the call in progress. Only plain C state lives between the two.
struct JpegErrors {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void on_jpeg_error(j_common_ptr c) {
  auto* e = reinterpret_cast<JpegErrors*>(c->err);
  c->err->format_message(c, e->message);
  std::longjmp(e->jump, 1);
}

// Warnings (level -1) count as errors: a truncated file ("Premature end of JPEG file") would
// otherwise decode with a grey remainder. Trace messages (level >= 0) are ignored.
void on_jpeg_message(j_common_ptr c, int level) {
  if (level < 0) on_jpeg_error(c);
}

// The smallest of 1/2, 1/4, 1/8 that keeps min_scale. Only these reduce the work: measured here,
// the other M/8 factors decode 1.5-1.8x slower than full size (libjpeg-turbo's SIMD IDCTs are the
// power-of-two ones).
int dct_denominator(double min_scale) {
  for (int d : {8, 4, 2})
    if (1.0 / d + 1e-9 >= min_scale) return d;
  return 1;
}

// Extra pixels decoded around the region, so that crop_resize's rounding and libjpeg's fancy
// upsampling at the window's edges never reach pixels the crop uses.
constexpr int kMargin = 2;
}  // namespace

struct Decoder::State {
  jpeg_decompress_struct cinfo;
  JpegErrors errors;
  std::vector<uint8_t> last_row;  // here, not a local: a longjmp must not skip a destructor
};

Decoder::Decoder() : s_(std::make_unique<State>()) {
  s_->cinfo.err = jpeg_std_error(&s_->errors.mgr);
  s_->errors.mgr.error_exit = on_jpeg_error;
  s_->errors.mgr.emit_message = on_jpeg_message;
  if (setjmp(s_->errors.jump))
    throw std::runtime_error(std::string("libjpeg: cannot create a decompressor: ") +
                             s_->errors.message);
  jpeg_create_decompress(&s_->cinfo);
}

Decoder::~Decoder() {
  jpeg_destroy_decompress(&s_->cinfo);
}

bool Decoder::read_jpeg_header(const std::string& bytes, int& w, int& h) {
  auto& c = s_->cinfo;
  if (setjmp(s_->errors.jump)) {
    jpeg_abort_decompress(&c);
    return false;
  }
  jpeg_mem_src(&c, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  const bool ok = jpeg_read_header(&c, TRUE) == JPEG_HEADER_OK && c.image_width > 0 &&
                  c.image_height > 0 && c.jpeg_color_space != JCS_CMYK &&
                  c.jpeg_color_space != JCS_YCCK;  // libjpeg makes no RGB of these: OpenCV does
  if (!ok) {
    jpeg_abort_decompress(&c);
    return false;
  }
  w = int(c.image_width);
  h = int(c.image_height);
  return true;
}

bool Decoder::decode_jpeg(const DecodeRequest& req, Image& out, std::string& error) {
  auto& c = s_->cinfo;
  if (setjmp(s_->errors.jump)) {
    error = std::string("corrupt or truncated JPEG (libjpeg: ") + s_->errors.message + ")";
    jpeg_abort_decompress(&c);
    return false;
  }
  c.scale_num = 1;
  c.scale_denom = unsigned(dct_denominator(req.min_scale));
  c.out_color_space = JCS_RGB;  // grayscale too: R = G = B
  jpeg_start_decompress(&c);
  const int sw = int(c.output_width), sh = int(c.output_height);
  // The window of the scaled image that the region needs.
  int x0 = 0, x1 = sw, y0 = 0, y1 = sh;
  if (req.region.w > 0 && req.region.h > 0) {
    const double sx = double(sw) / c.image_width, sy = double(sh) / c.image_height;
    x0 = std::clamp(int(std::floor(req.region.x * sx)) - kMargin, 0, sw - 1);
    y0 = std::clamp(int(std::floor(req.region.y * sy)) - kMargin, 0, sh - 1);
    x1 = std::clamp(int(std::ceil((req.region.x + req.region.w) * sx)) + kMargin, x0 + 1, sw);
    y1 = std::clamp(int(std::ceil((req.region.y + req.region.h) * sy)) + kMargin, y0 + 1, sh);
  }
  JDIMENSION left = JDIMENSION(x0), width = JDIMENSION(x1 - x0);
  if (int(width) < sw) jpeg_crop_scanline(&c, &left, &width);  // widens to whole iMCU columns
  if (y0 > 0) jpeg_skip_scanlines(&c, JDIMENSION(y0));
  out.full_width = int(c.image_width);
  out.full_height = int(c.image_height);
  out.scaled_width = sw;
  out.scaled_height = sh;
  out.left = int(left);
  out.top = y0;
  out.width = int(c.output_width);  // the cropped width after jpeg_crop_scanline
  out.height = y1 - y0;
  out.fallback = false;
  const size_t stride = size_t(out.width) * 3;
  out.rgb.resize(stride * out.height);
  while (int(c.output_scanline) < y1) {
    JSAMPROW rows[4];
    const int k = std::min(4, y1 - int(c.output_scanline));
    for (int i = 0; i < k; ++i)
      rows[i] = out.rgb.data() + (size_t(c.output_scanline) - size_t(y0) + size_t(i)) * stride;
    jpeg_read_scanlines(&c, rows, JDIMENSION(k));
  }
  // The rows below are skipped (Huffman decoding only) but the last one is read: skipping to the
  // very end decodes nothing, and a truncated or corrupt tail must be an error whatever the crop,
  // as with a whole decode.
  if (y1 < sh) {
    if (sh - y1 > 1) jpeg_skip_scanlines(&c, JDIMENSION(sh - y1 - 1));
    s_->last_row.resize(stride);
    JSAMPROW row = s_->last_row.data();
    jpeg_read_scanlines(&c, &row, 1);
  }
  jpeg_finish_decompress(&c);
  return true;
}

bool Decoder::decode_other(const std::string& bytes, Image& out, std::string& error) {
  cv::Mat bgr;
  try {
    cv::Mat raw(1, int(bytes.size()), CV_8U, const_cast<char*>(bytes.data()));
    // EXIF orientation is ignored, as libjpeg and torchvision's PIL loader do.
    bgr = cv::imdecode(raw, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  } catch (const cv::Exception& e) {
    error = std::string("cannot decode (OpenCV: ") + e.what() + ")";
    return false;
  }
  if (bgr.empty() || bgr.type() != CV_8UC3) {
    error = bytes.empty()
                ? "empty file"
                : "not a decodable image (neither a JPEG libjpeg reads nor a format OpenCV reads)";
    return false;
  }
  out.full_width = out.scaled_width = out.width = bgr.cols;
  out.full_height = out.scaled_height = out.height = bgr.rows;
  out.left = out.top = 0;
  out.fallback = true;
  out.rgb.resize(size_t(out.width) * out.height * 3);
  cv::Mat rgb(out.height, out.width, CV_8UC3, out.rgb.data());
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return true;
}

}  // namespace tnn::imagedata
