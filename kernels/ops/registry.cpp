// The registry: one line per implementation, grouped by op, in the order tools list them
// (reference first). Adding an implementation: its file under kernels/ops/<op>/ and one line here
// (a CUDA one: in registry_cuda.cpp, built only with CUDA).
#include "common.hpp"
#include "conv/conv_kernels.hpp"
#include "elementwise/elementwise_kernels.hpp"
#include "gemm/gemm_kernels.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace tnn::kernels::ops {

namespace {

// What add_to_registry() collected, and whether registry() was built (then it is too late).
struct Additions {
  std::vector<Impl> impls;
  bool registry_built = false;
};
Additions& additions() {
  static Additions a;
  return a;
}

std::vector<Impl> build_registry() {
  std::vector<Impl> r = {
      // gemm_f32: y = W x, FP32 activations
      ref_gemm_f32_impl(),
      ternary_gemm_f32_impl("scalar", cpu::gemm_f32_scalar),
      ternary_gemm_f32_impl("avx2", cpu::gemm_f32_avx2),
      ternary_gemm_f32_impl("avx512", cpu::gemm_f32_avx512),
      dense_gemv_avx512_impl(),
      // gemm_w2a8: u8 activations
      ref_gemm_w2a8_impl(),
      ternary_gemm_w2a8_impl("scalar", cpu::gemm_w2a8_scalar),
      ternary_gemm_w2a8_impl("avx2", cpu::gemm_w2a8_avx2),
      ternary_gemm_w2a8_impl("avx512", cpu::gemm_w2a8_avx512),
      // conv_f32
      ref_conv_f32_impl(),
      ternary_conv_f32_impl("scalar", cpu::conv_f32_scalar),
      ternary_conv_f32_impl("avx2", cpu::conv_f32_avx2),
      ternary_conv_f32_impl("avx512", cpu::conv_f32_avx512, /*width=*/4),
      // conv_w2a8
      ref_conv_w2a8_impl(),
      ternary_conv_w2a8_impl("scalar", cpu::conv_w2a8_scalar),
      ternary_conv_w2a8_impl("avx2", cpu::conv_w2a8_avx2),
      ternary_conv_w2a8_impl("avx512", cpu::conv_w2a8_avx512),
      unpacked_conv_w2a8_impl("avx512", cpu::conv_w2a8_unpacked_avx512),
      // elementwise helpers of the engine
      ref_elementwise_impl(Op::kAddF32),
      simd_elementwise_impl(Op::kAddF32, "scalar", cpu::kElementwiseScalar),
      simd_elementwise_impl(Op::kAddF32, "avx512", cpu::kElementwiseAvx512),
      ref_elementwise_impl(Op::kAddU8),
      simd_elementwise_impl(Op::kAddU8, "scalar", cpu::kElementwiseScalar),
      simd_elementwise_impl(Op::kAddU8, "avx512", cpu::kElementwiseAvx512),
      ref_elementwise_impl(Op::kQuantizeU8),
      simd_elementwise_impl(Op::kQuantizeU8, "scalar", cpu::kElementwiseScalar),
      simd_elementwise_impl(Op::kQuantizeU8, "avx512", cpu::kElementwiseAvx512),
  };
#ifdef TNN_HAVE_ONEDNN
  for (Impl i : {onednn_sgemm_impl(), onednn_matmul_impl(), onednn_gemm_s8_impl(),
                 onednn_conv_f32_impl(), onednn_conv_s8_impl()})
    r.push_back(std::move(i));
#endif
  for (Impl& i : additions().impls) r.push_back(std::move(i));
  additions().impls.clear();
  additions().registry_built = true;
  // Keep every op's impls together, reference first, in the order above.
  std::stable_sort(r.begin(), r.end(), [](const Impl& a, const Impl& b) {
    const auto ia = std::find(all_ops().begin(), all_ops().end(), a.op);
    const auto ib = std::find(all_ops().begin(), all_ops().end(), b.op);
    if (ia != ib) return ia < ib;
    return (a.role == Role::kReference) > (b.role == Role::kReference);
  });
  return r;
}

// Preference among CPU ISA variants of one family: the widest first.
int isa_rank(const std::string& isa) {
  if (isa == "avx512") return 0;
  if (isa == "avx2") return 1;
  if (isa == "scalar") return 2;
  return 3;
}

}  // namespace

std::string Impl::id() const {
  return std::string(op_name(op)) + "/" + name + "/" + isa;
}

const std::vector<Impl>& registry() {
  static const std::vector<Impl> r = build_registry();
  return r;
}

bool add_to_registry(std::vector<Impl> impls) {
  if (additions().registry_built)
    throw std::logic_error("ops::add_to_registry: the registry was already built");
  for (Impl& i : impls) additions().impls.push_back(std::move(i));
  return true;
}

std::vector<const Impl*> impls(Op op) {
  std::vector<const Impl*> out;
  for (const Impl& i : registry())
    if (i.op == op) out.push_back(&i);
  return out;
}

const Impl* find(const std::string& id) {
  for (const Impl& i : registry())
    if (i.id() == id) return &i;
  return nullptr;
}

const Impl* find(Op op, const std::string& name, const std::string& isa) {
  for (const Impl& i : registry())
    if (i.op == op && i.name == name && i.isa == isa) return &i;
  return nullptr;
}

const Impl& reference(Op op) {
  for (const Impl& i : registry())
    if (i.op == op && i.role == Role::kReference) return i;
  throw std::logic_error(std::string("no reference registered for ") + op_name(op));
}

std::vector<std::string> families(Op op) {
  std::vector<std::string> out;
  for (const Impl* i : impls(op))
    if (std::find(out.begin(), out.end(), i->name) == out.end()) out.push_back(i->name);
  return out;
}

const Impl* best(Op op, const std::string& name, Isa isa) {
  if (isa == Isa::kAuto) {
    const char* env = std::getenv("TNN_ISA");
    if (env && *env) isa = isa_from_name(env);
  }
  const Impl* pick = nullptr;
  for (const Impl* i : impls(op)) {
    if (i->name != name || !i->runs_here()) continue;
    const bool cpu_isa = isa_of(i->isa) != Isa::kAuto;
    if (isa != Isa::kAuto && cpu_isa && i->isa != isa_name(isa)) continue;
    if (!pick || isa_rank(i->isa) < isa_rank(pick->isa)) pick = i;
  }
  // A requested CPU ISA that the family has no variant for: nothing (never a silent fallback).
  if (pick && isa != Isa::kAuto && isa_of(pick->isa) == Isa::kAuto) {
    bool family_has_cpu_variants = false;
    for (const Impl* i : impls(op))
      family_has_cpu_variants |= i->name == name && isa_of(i->isa) != Isa::kAuto;
    if (family_has_cpu_variants) return nullptr;
  }
  return pick;
}

Role family_role(const std::string& name) {
  for (const Impl& i : registry())
    if (i.name == name) return i.role;
  return Role::kTernary;
}

std::string describe_registry() {
  std::ostringstream o;
  for (Op op : all_ops()) {
    o << op_name(op) << "\n";
    for (const Impl* i : impls(op)) {
      std::string why;
      const bool here = i->runs_here(&why);
      o << "  " << i->name << "/" << i->isa << " (" << role_name(i->role) << ")"
        << (here ? "" : ": not on this machine, " + why) << "\n";
    }
  }
  return o.str();
}

}  // namespace tnn::kernels::ops
