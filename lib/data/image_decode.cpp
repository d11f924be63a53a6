// Image decoding for the ImageNet loader: TurboJPEG for ordinary JPEGs (with DCT-domain scaling),
// OpenCV's imdecode for what TurboJPEG cannot turn into RGB (CMYK/YCCK JPEGs, PNGs named .JPEG:
// ILSVRC-2012 train holds a few of each). No LibTorch here.
#include "tnn/imagedata.hpp"

#include <turbojpeg.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <stdexcept>

namespace tnn::imagedata {

Decoder::Decoder() : tj_(tjInitDecompress()) {
  if (tj_ == nullptr)
    throw std::runtime_error(std::string("TurboJPEG: cannot create a decompressor: ") +
                             tjGetErrorStr2(nullptr));
}

Decoder::~Decoder() {
  if (tj_ != nullptr) tjDestroy(tj_);
}

bool Decoder::probe_jpeg(const std::string& bytes, int& w, int& h) {
  int subsamp = 0, colorspace = 0;
  auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  if (tjDecompressHeader3(tj_, data, bytes.size(), &w, &h, &subsamp, &colorspace) != 0)
    return false;
  // libjpeg-turbo converts YCbCr and grayscale to RGB, not CMYK/YCCK (Adobe JPEGs): OpenCV does.
  return colorspace != TJCS_CMYK && colorspace != TJCS_YCCK && w > 0 && h > 0;
}

bool Decoder::decode_impl(const std::string& bytes, bool jpeg, double min_scale, Image& out,
                          std::string& error) {
  auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  if (jpeg) {
    int w = 0, h = 0, subsamp = 0, colorspace = 0;
    tjDecompressHeader3(tj_, data, bytes.size(), &w, &h, &subsamp, &colorspace);
    // The smallest of 1/2, 1/4, 1/8 that keeps the needed resolution. Only these reduce the work:
    // measured here, the other M/8 factors decode 1.5-1.8x slower than full size (libjpeg-turbo's
    // SIMD IDCTs are the power-of-two ones), and Huffman decoding costs the same at any scale.
    int n = 0;
    const tjscalingfactor* factors = tjGetScalingFactors(&n);
    tjscalingfactor best{1, 1};
    for (int i = 0; i < n; ++i) {
      const auto& f = factors[i];
      const bool power_of_two = f.num == 1 && (f.denom == 2 || f.denom == 4 || f.denom == 8);
      double s = double(f.num) / f.denom;
      if (power_of_two && s + 1e-9 >= min_scale && s < double(best.num) / best.denom) best = f;
    }
    out.full_width = w;
    out.full_height = h;
    out.width = TJSCALED(w, best);
    out.height = TJSCALED(h, best);
    out.fallback = false;
    out.rgb.resize(size_t(out.width) * out.height * 3);
    // Warnings (a truncated file: "Premature end of JPEG file") count as errors: the rest of the
    // image would be grey.
    if (tjDecompress2(tj_, data, bytes.size(), out.rgb.data(), out.width, 0, out.height, TJPF_RGB,
                      TJFLAG_STOPONWARNING) != 0) {
      error = std::string("corrupt or truncated JPEG (TurboJPEG: ") + tjGetErrorStr2(tj_) + ")";
      return false;
    }
    return true;
  }
  cv::Mat bgr;
  try {
    cv::Mat raw(1, int(bytes.size()), CV_8U, const_cast<char*>(bytes.data()));
    // EXIF orientation is ignored, as TurboJPEG and torchvision's PIL loader do.
    bgr = cv::imdecode(raw, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  } catch (const cv::Exception& e) {
    error = std::string("cannot decode (OpenCV: ") + e.what() + ")";
    return false;
  }
  if (bgr.empty() || bgr.type() != CV_8UC3) {
    error =
        bytes.empty()
            ? "empty file"
            : "not a decodable image (neither a JPEG TurboJPEG reads nor a format OpenCV reads)";
    return false;
  }
  out.full_width = out.width = bgr.cols;
  out.full_height = out.height = bgr.rows;
  out.fallback = true;
  out.rgb.resize(size_t(out.width) * out.height * 3);
  cv::Mat rgb(out.height, out.width, CV_8UC3, out.rgb.data());
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return true;
}

}  // namespace tnn::imagedata
