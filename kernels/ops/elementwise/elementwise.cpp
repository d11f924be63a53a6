// The engine's elementwise helpers ("simd": scalar and AVX-512 variants, elementwise_<isa>.cpp)
// behind Kernels, threaded in chunks; and their references ("ref", plain loops over quant.hpp).
#include "../common.hpp"
#include "elementwise_kernels.hpp"
#include "tnn/kernels/quant.hpp"

#include <algorithm>

namespace tnn::kernels::ops {

namespace {

// Runs f(first, count) over chunks of a range, in parallel when it is large.
template <class F>
void chunked(int64_t count, F&& f) {
  constexpr int64_t kChunk = 1 << 14;
  const int64_t chunks = (count + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) f(c * kChunk, std::min(kChunk, count - c * kChunk));
}

class ElementwiseKernel : public Kernel {
 public:
  ElementwiseKernel(const Problem& p, const cpu::ElementwiseFns* fns)
      : fns_(fns),
        op_(p.op),
        h_(p.shape.h),
        w_(p.shape.w),
        c_(p.shape.c),
        relu_(p.epilogue.relu),
        a_(p.in_q),
        b_(p.in2_q),
        y_(p.out_q) {}
  Layout input_layout(int) const override {
    return Layout::nhwc(op_ == Op::kAddU8 ? DType::kU8 : DType::kF32, h_, w_, c_);
  }
  Layout output_layout() const override {
    return Layout::nhwc(op_ == Op::kAddF32 ? DType::kF32 : DType::kU8, h_, w_, c_);
  }
  std::string describe() const override { return fns_ ? "vectorized" : "reference loops"; }

  void run(const RunArgs& args) override {
    const int64_t count = args.n * h_ * w_ * c_;
    switch (op_) {
      case Op::kAddF32: {
        const auto* a = static_cast<const float*>(args.in);
        const auto* b = static_cast<const float*>(args.in2);
        auto* y = static_cast<float*>(args.out);
        if (!fns_) {
          for (int64_t i = 0; i < count; ++i) {
            const float v = a[i] + b[i];
            y[i] = relu_ && v < 0.0f ? 0.0f : v;
          }
          return;
        }
        chunked(count, [&](int64_t i, int64_t m) { fns_->add_f32(a + i, b + i, y + i, m, relu_); });
        return;
      }
      case Op::kAddU8: {
        const auto* a = static_cast<const uint8_t*>(args.in);
        const auto* b = static_cast<const uint8_t*>(args.in2);
        auto* y = static_cast<uint8_t*>(args.out);
        if (!fns_) {
          for (int64_t i = 0; i < count; ++i) {
            float v = a_.scale * float(int32_t(a[i]) - a_.zero_point) +
                      b_.scale * float(int32_t(b[i]) - b_.zero_point);
            if (relu_ && v < 0.0f) v = 0.0f;
            y[i] = quantize_one(v, y_);
          }
          return;
        }
        const cpu::AddU8Params p{a_.scale,      b_.scale,      1.0f / y_.scale,
                                 a_.zero_point, b_.zero_point, y_.zero_point,
                                 relu_};
        chunked(count, [&](int64_t i, int64_t m) { fns_->add_u8(a + i, b + i, y + i, m, p); });
        return;
      }
      case Op::kQuantizeU8: {
        const auto* x = static_cast<const float*>(args.in);
        auto* q = static_cast<uint8_t*>(args.out);
        if (!fns_) {
          quantize(x, count, y_, q);
          return;
        }
        const float inv = 1.0f / y_.scale;
        chunked(count, [&](int64_t i, int64_t m) {
          fns_->quantize_u8(x + i, q + i, m, inv, y_.zero_point);
        });
        return;
      }
      default:
        throw std::logic_error("elementwise kernel for a non-elementwise op");
    }
  }

 private:
  const cpu::ElementwiseFns* fns_;  // null: the reference loops
  Op op_;
  int64_t h_, w_, c_;
  bool relu_;
  QuantParams a_, b_, y_;
};

}  // namespace

Impl ref_elementwise_impl(Op op) {
  return make_impl(op, "ref", "scalar", Role::kReference, any_problem, [](const Problem& p) {
    return std::make_unique<ElementwiseKernel>(p, nullptr);
  });
}

Impl simd_elementwise_impl(Op op, const char* isa, const cpu::ElementwiseFns& fns) {
  const cpu::ElementwiseFns* f = &fns;
  return make_impl(op, "simd", isa, Role::kHelper, any_problem,
                   [f](const Problem& p) { return std::make_unique<ElementwiseKernel>(p, f); });
}

}  // namespace tnn::kernels::ops
