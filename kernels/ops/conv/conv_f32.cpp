// ternary_f32 conv: the zero-skipping tap-list kernels (one per ISA, conv_f32_<isa>.cpp) on the
// planar layout behind a Kernel. Dense FP32 layers run through the same kernels (weighted taps).
#include "../common.hpp"
#include "conv_kernels.hpp"

#include <omp.h>

#include <algorithm>

namespace tnn::kernels::ops {

namespace {

cpu::ConvF32View conv_f32_view(const ConvF32Plan& p) {
  cpu::ConvF32View v{};
  const ConvShape& s = p.shape;
  v.k = s.k;
  v.bundles = p.bundles();
  v.width = p.width;
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
  v.blocks = p.blocks;
  v.block_groups = p.block_groups.data();
  v.partial_offset = p.planes_floats() + ConvF32Plan::kScratchSlack;
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
  v.scratch_stride = p.scratch_floats();  // one thread's region, slack included
  const PlanarLayout in{s.c, s.h, s.w};
  v.in_stride = in.image_stride();
  return v;
}

class TapListKernel : public Kernel {
 public:
  TapListKernel(const Problem& p, cpu::ConvF32Fn fn, int64_t width)
      : fn_(fn),
        plan_(p.ternary ? prepare_conv_f32(p.shape, *p.ternary, p.epilogue, width)
                        : prepare_conv_f32_dense(p.shape, *p.dense, p.epilogue)) {
    for (const auto& pl : plan_.planes)
      if (pl.copied) copied_.push_back(pl);
    for (const auto& m : plan_.flat_masks) masks_.push_back(m.data());
  }
  Layout input_layout(int) const override {
    return Layout::planar(plan_.shape.h, plan_.shape.w, plan_.shape.c);
  }
  Layout output_layout() const override {
    return Layout::planar(plan_.shape.oh(), plan_.shape.ow(), plan_.shape.k);
  }
  size_t weight_bytes() const override { return plan_.entry_bytes(); }
  std::string describe() const override {
    return std::string(plan_.weighted ? "dense FMA lists" : "zero-skipping +-1 lists") +
           (plan_.width == 4 ? " (channel quads)" : " (channel pairs)") + ", " +
           std::to_string(plan_.copied_planes) + " of " + std::to_string(plan_.planes.size()) +
           " tap planes copied";
  }

  void run(const RunArgs& a) override {
    const ConvShape& s = plan_.shape;
    const PlanarLayout in_l{s.c, s.h, s.w}, out_l{s.k, s.oh(), s.ow()};
    const float* in0 = static_cast<const float*>(a.in) + in_l.image_offset(0);
    float* out0 = static_cast<float*>(a.out) + out_l.image_offset(0);
    const int64_t n = a.n;
    cpu::ConvF32View v = conv_f32_view(plan_);
    if (plan_.residual) {
      v.residual = static_cast<const float*>(a.in2) + out_l.image_offset(0);
      v.out_base = out0;
    }
    if (plan_.copied_planes == 0) {
      fn_(v, nullptr, in0, nullptr, out0, n);
      return;
    }
    // One scratch region per thread (each builds the planes its own tiles read). Tail lanes,
    // whose sums are never stored, may read the region's slack or positions not built for this
    // image: they hold earlier plane data or zeros (the arena is zeroed when it grows), so finite.
    const int threads = omp_get_max_threads();
    float* scratch = thread_scratch(threads * v.scratch_stride) + ConvF32Plan::kScratchSlack;
    const cpu::PlanesView pv{s.c,
                             s.h,
                             s.w,
                             in_l.plane(),
                             s.ow(),
                             plan_.plane_rows,
                             s.stride,
                             plan_.dy_min,
                             plan_.channel_stride,
                             int64_t(copied_.size()),
                             copied_.data(),
                             masks_.empty() ? nullptr : masks_.data(),
                             threads};
    fn_(v, &pv, in0, scratch, out0, n);
  }

 private:
  cpu::ConvF32Fn fn_;
  ConvF32Plan plan_;
  std::vector<ConvF32Plan::Plane> copied_;
  std::vector<const uint16_t*> masks_;
};

bool supports_tap_lists(const Problem& p, std::string* why) {
  return within_max_terms(p, why);  // dense FP32 layers too (weighted taps)
}

}  // namespace

Impl ternary_conv_f32_impl(const char* isa, cpu::ConvF32Fn fn, int64_t width) {
  return make_impl(
      Op::kConvF32, "ternary_f32", isa, Role::kTernary, supports_tap_lists,
      [fn, width](const Problem& p) { return std::make_unique<TapListKernel>(p, fn, width); },
      /*fuses_residual=*/true);
}

}  // namespace tnn::kernels::ops
