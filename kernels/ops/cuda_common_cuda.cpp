#include "cuda_common.hpp"

#include "components.hpp"
#include "tnn/kernels/pack.hpp"
#include "tnn/kernels/quant.hpp"
#include "tnn/kernels/ref.hpp"

#include <algorithm>
#include <cstring>

namespace tnn::kernels::ops {

bool cuda_device_available(std::string* why) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e == cudaSuccess && count > 0) return true;
  if (e != cudaSuccess) cudaGetLastError();  // leave no error behind for later calls
  return unsupported(why, e == cudaSuccess ? std::string("no CUDA device (device count 0)")
                                           : std::string("no CUDA device (") + cudaGetErrorName(e) +
                                                 ": " + cudaGetErrorString(e) + ")");
}

Impl make_cuda_impl(Op op, const std::string& name, Role role, SupportsFn supports,
                    PrepareFn prepare) {
  Impl i = make_impl(op, name, "cuda", role, std::move(supports), std::move(prepare));
  i.available = cuda_device_available;
  return i;
}

CudaTernaryWeights::CudaTernaryWeights(const TernaryWeights& w, int64_t taps)
    : rows_(w.rows), cols_(w.cols) {
  if (taps < 1 || w.cols % taps != 0)
    throw std::invalid_argument("CudaTernaryWeights: " + std::to_string(w.cols) +
                                " columns are not a multiple of " + std::to_string(taps) + " taps");
  const int64_t channels = w.cols / taps;
  for (cpu::SymmetricComponent& sc : cpu::symmetric_components(w)) {
    Component c;
    const std::vector<uint8_t> packed =
        pack_ternary(sc.codes.data(), size_t(w.rows), size_t(w.cols));
    const cuda::HostTernaryMatrix host =
        cuda::relayout_tg16(packed.data(), int(w.rows), int(w.cols));
    c.words = cuda::DeviceBuffer<uint32_t>(host.words);
    c.scales = cuda::DeviceBuffer<float>(sc.scale);
    c.view.words = c.words.get();
    c.view.scales = c.scales.get();
    c.view.rows = host.rows;
    c.view.cols = host.cols;
    c.view.ld_words = host.ld_words;
    c.view.per_channel = true;
    c.host_scales = sc.scale;
    c.tap_sums.assign(size_t(w.rows * taps), 0);
    for (int64_t r = 0; r < w.rows; ++r)
      for (int64_t col = 0; col < w.cols; ++col)
        c.tap_sums[size_t(r * taps + col / channels)] += sc.codes[size_t(r * w.cols + col)];
    components_.push_back(std::move(c));
  }
}

size_t CudaTernaryWeights::bytes() const {
  size_t b = 0;
  for (const Component& c : components_) b += c.words.bytes();
  return b;
}

bool cuda_supports_ternary(const Problem& p, std::string* why) {
  return needs_ternary_terms(p, why);  // symmetric_components takes at most kMaxTerms
}

DeviceInput::DeviceInput(DType t, const void* in, size_t count) {
  if (t == DType::kU8) {
    const auto* q = static_cast<const uint8_t*>(in);
    std::vector<int8_t> xs(count);
    for (size_t i = 0; i < count; ++i) xs[i] = int8_t(int(q[i]) - 128);
    s8 = cuda::DeviceBuffer<int8_t>(xs);
  } else {
    const auto* x = static_cast<const float*>(in);
    f32 = cuda::DeviceBuffer<float>(std::vector<float>(x, x + count));
  }
}

bool cuda_supports_conv3x3(const Problem& p, std::string* why) {
  const ConvShape& s = p.shape;
  if (s.kh != 3 || s.kw != 3 || s.pad != 1 || (s.stride != 1 && s.stride != 2))
    return unsupported(why,
                       "3x3 kernels with padding 1 and stride 1 or 2 only (got " + s.str() + ")");
  return true;
}

cuda::Conv3x3Shape conv3x3_shape(const ConvShape& s, int64_t n) {
  cuda::Conv3x3Shape cs;
  cs.n = int(n), cs.h = int(s.h), cs.w = int(s.w), cs.c = int(s.c), cs.k = int(s.k);
  cs.stride = int(s.stride);
  return cs;
}

void add_zero_point_terms(const CudaTernaryWeights::Component& c, const ConvShape& s, int64_t n,
                          const QuantParams& in_q, std::vector<float>& y) {
  const int32_t shift = 128 - in_q.zero_point;
  if (shift == 0) return;
  const int64_t k = c.view.rows, taps = s.kh * s.kw, oh = s.oh(), ow = s.ow();
  std::vector<int32_t> inside(static_cast<size_t>(k));
  for (int64_t oy = 0; oy < oh; ++oy)
    for (int64_t ox = 0; ox < ow; ++ox) {
      // Codes under the taps of this output pixel that fall inside the image.
      std::fill(inside.begin(), inside.end(), 0);
      for (int64_t ky = 0; ky < s.kh; ++ky)
        for (int64_t kx = 0; kx < s.kw; ++kx) {
          const int64_t iy = oy * s.stride - s.pad + ky, ix = ox * s.stride - s.pad + kx;
          if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
          for (int64_t r = 0; r < k; ++r)
            inside[size_t(r)] += c.tap_sums[size_t(r * taps + ky * s.kw + kx)];
        }
      for (int64_t img = 0; img < n; ++img) {
        float* row = y.data() + ((img * oh + oy) * ow + ox) * k;
        for (int64_t r = 0; r < k; ++r)
          row[r] += in_q.scale * c.host_scales[size_t(r)] * float(shift * inside[size_t(r)]);
      }
    }
}

std::vector<float> sum_components(const CudaTernaryWeights& w, size_t count, const LaunchFn& launch,
                                  const ConvShape* w2a8_shape, int64_t n, const QuantParams& q) {
  std::vector<float> y(count, 0.0f);
  cuda::DeviceBuffer<float> y_dev(count);
  for (const auto& c : w.components()) {
    launch(c, y_dev.get());
    const std::vector<float> part = y_dev.download();
    for (size_t i = 0; i < count; ++i) y[i] += part[i];
    if (w2a8_shape) add_zero_point_terms(c, *w2a8_shape, n, q, y);
  }
  return y;
}

void HostOutputStage::finish(std::vector<float>& y, int64_t channels, void* out) const {
  const int64_t count = int64_t(y.size());
  ref::apply_epilogue(epilogue, y.data(), count / channels, channels);
  if (out_dtype == DType::kU8)
    quantize(y.data(), count, out_q, static_cast<uint8_t*>(out));
  else
    std::memcpy(out, y.data(), y.size() * sizeof(float));
}

}  // namespace tnn::kernels::ops
