// CPUID-based ISA selection (GCC/Clang __builtin_cpu_supports).
#include "tnn/kernels/isa.hpp"

#include <cstdlib>
#include <stdexcept>

namespace tnn::kernels {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kAuto:
      return "auto";
    case Isa::kScalar:
      return "scalar";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
  }
  return "?";
}

Isa isa_from_name(const std::string& name) {
  for (Isa i : {Isa::kAuto, Isa::kScalar, Isa::kAvx2, Isa::kAvx512})
    if (name == isa_name(i)) return i;
  throw std::invalid_argument("unknown ISA '" + name + "' (expected auto, scalar, avx2, avx512)");
}

bool isa_supported(Isa isa, std::string* why) {
  std::string missing;
  auto need = [&](bool ok, const char* feature) {
    if (!ok) missing += (missing.empty() ? "" : ", ") + std::string(feature);
  };
  __builtin_cpu_init();
  switch (isa) {
    case Isa::kAuto:
    case Isa::kScalar:
      break;
    case Isa::kAvx512:
      need(__builtin_cpu_supports("avx512f"), "avx512f");
      need(__builtin_cpu_supports("avx512bw"), "avx512bw");
      need(__builtin_cpu_supports("avx512vl"), "avx512vl");
      need(__builtin_cpu_supports("avx512dq"), "avx512dq");
      need(__builtin_cpu_supports("avx512vnni"), "avx512vnni");
      need(__builtin_cpu_supports("avx512vbmi"), "avx512vbmi");
      need(__builtin_cpu_supports("bmi2"), "bmi2");
      [[fallthrough]];
    case Isa::kAvx2:
      need(__builtin_cpu_supports("avx2"), "avx2");
      need(__builtin_cpu_supports("fma"), "fma");
      break;
  }
  if (why) *why = missing.empty() ? "" : "missing CPU features: " + missing;
  return missing.empty();
}

Isa best_isa() {
  for (Isa i : {Isa::kAvx512, Isa::kAvx2})
    if (isa_supported(i)) return i;
  return Isa::kScalar;
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> out;
  for (Isa i : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512})
    if (isa_supported(i)) out.push_back(i);
  return out;
}

Isa resolve_isa(Isa isa) {
  if (isa == Isa::kAuto) {
    const char* env = std::getenv("TNN_ISA");
    if (!env || !*env) return best_isa();
    isa = isa_from_name(env);
    if (isa == Isa::kAuto) return best_isa();
  }
  std::string why;
  if (!isa_supported(isa, &why))
    throw std::runtime_error(std::string("ISA ") + isa_name(isa) + " is not supported here (" +
                             why + ")");
  return isa;
}

}  // namespace tnn::kernels
