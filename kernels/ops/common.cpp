#include "common.hpp"

#include "tnn/kernels/cpu.hpp"

namespace tnn::kernels::ops {

bool cpu_isa_available(const std::string& isa, std::string* why) {
  for (Isa i : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512})
    if (isa == isa_name(i)) return isa_supported(i, why);
  if (why) why->clear();
  return true;
}

Isa isa_of(const std::string& isa) {
  for (Isa i : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512})
    if (isa == isa_name(i)) return i;
  return Isa::kAuto;
}

Impl make_impl(Op op, const std::string& name, const std::string& isa, Role role,
               SupportsFn supports, PrepareFn prepare, bool fuses_residual) {
  Impl i;
  i.op = op;
  i.name = name;
  i.isa = isa;
  i.role = role;
  i.available = [isa](std::string* why) { return cpu_isa_available(isa, why); };
  i.supports = [supports = std::move(supports), fuses_residual](const Problem& p,
                                                                std::string* why) {
    if (p.epilogue.residual && !fuses_residual) return unsupported(why, "no fused residual add");
    return supports(p, why);
  };
  i.prepare = std::move(prepare);
  return i;
}

bool unsupported(std::string* why, const std::string& reason) {
  if (why) *why = reason;
  return false;
}

OwnedWeights::OwnedWeights(const Problem& p) {
  if (p.ternary)
    ternary = *p.ternary;
  else
    dense = *p.dense;
}

bool any_problem(const Problem&, std::string*) {
  return true;
}

bool needs_ternary(const Problem& p, std::string* why) {
  return p.ternary ? true : unsupported(why, "ternary weights only (this layer is dense FP32)");
}

bool within_max_terms(const Problem& p, std::string* why) {
  return p.terms() <= kMaxTerms ||
         unsupported(why, "more than " + std::to_string(kMaxTerms) + " terms");
}

bool needs_ternary_terms(const Problem& p, std::string* why) {
  return needs_ternary(p, why) && within_max_terms(p, why);
}

bool no_dynamic_quant(const Problem& p, std::string* why) {
  return !p.dynamic_input_quant ||
         unsupported(why, "input quantization per call (dynamic) is not supported");
}

float* thread_scratch(int64_t floats) {
  thread_local AlignedBuffer<float> arena;
  if (int64_t(arena.size()) < floats) arena.resize(size_t(floats));
  return arena.data();
}

cpu::EpilogueView epilogue_view(const PackedEpilogue& e) {
  return {e.mul.data(), e.add.data(), e.relu};
}

std::vector<float> dense_weights(const Problem& p) {
  return p.ternary ? p.ternary->dense() : *p.dense;
}

}  // namespace tnn::kernels::ops
