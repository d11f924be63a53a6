// Run-time ISA selection for the CPU kernels. Every kernel family has a scalar, an AVX2 and an
// AVX-512 implementation behind one dispatch table; asking for an ISA this CPU lacks throws
// (never a silent fallback that pretends to be the fast path).
#pragma once

#include <string>
#include <vector>

namespace tnn::kernels {

enum class Isa {
  kAuto,    // TNN_ISA from the environment if set (scalar|avx2|avx512), else the best supported
  kScalar,  // portable C++
  kAvx2,    // AVX2 + FMA
  kAvx512,  // AVX-512 F/BW/VL/DQ + VNNI + VBMI, BMI2 (Ice Lake, Zen 4 and later)
};

const char* isa_name(Isa isa);
Isa isa_from_name(const std::string& name);  // throws std::invalid_argument
// True when the CPU runs `isa`; otherwise `why` names the missing CPUID features.
bool isa_supported(Isa isa, std::string* why = nullptr);
Isa best_isa();
std::vector<Isa> supported_isas();  // scalar first, best last
// kAuto -> the environment override or best_isa(); any other value is checked.
// Throws std::runtime_error naming the missing features when the CPU cannot run it.
Isa resolve_isa(Isa isa);

}  // namespace tnn::kernels
