// Internal: what the implementation files under kernels/ops/ share: building an Impl entry,
// ISA availability, scratch memory, and small checks for supports().
#pragma once

#include "tnn/kernels/layout.hpp"
#include "tnn/kernels/ops.hpp"
#include "views.hpp"

#include <cstdlib>
#include <memory>
#include <new>
#include <string>

namespace tnn::kernels::ops {

// Whether this CPU runs an ISA name ("scalar", "avx2", "avx512"); other names (a library such
// as "onednn") count as available here.
bool cpu_isa_available(const std::string& isa, std::string* why);

using SupportsFn = std::function<bool(const Problem&, std::string* why)>;
using PrepareFn = std::function<std::unique_ptr<Kernel>(const Problem&)>;
// An entry whose availability follows its ISA name (cpu_isa_available). Problems with a fused
// residual add (Epilogue::residual) are refused unless fuses_residual.
Impl make_impl(Op op, const std::string& name, const std::string& isa, Role role,
               SupportsFn supports, PrepareFn prepare, bool fuses_residual = false);

// supports() helpers: set *why and return false.
bool unsupported(std::string* why, const std::string& reason);
bool any_problem(const Problem& p, std::string* why);    // takes every problem of its op
bool needs_ternary(const Problem& p, std::string* why);  // rejects dense FP32 weights
bool no_dynamic_quant(const Problem& p, std::string* why);
bool within_max_terms(const Problem& p, std::string* why);     // at most kMaxTerms (cpu.hpp) terms
bool needs_ternary_terms(const Problem& p, std::string* why);  // both of the above

// Uninitialised 64-byte aligned scratch (kernels write before they read).
template <class T>
std::unique_ptr<T[], void (*)(void*)> scratch(int64_t count) {
  const size_t bytes = size_t(round_up(std::max<int64_t>(count, 1) * int64_t(sizeof(T)), 64));
  T* p = static_cast<T*>(std::aligned_alloc(64, bytes));
  if (!p) throw std::bad_alloc();
  return {p, std::free};
}

// Per-thread scratch that only grows, zeroed when it grows: conv tap planes are rebuilt on every
// call, and a fresh allocation of a few hundred KB would be an mmap plus page faults each time.
float* thread_scratch(int64_t floats);

cpu::EpilogueView epilogue_view(const PackedEpilogue& e);

// A copy of a problem's weights as given, ternary or dense (what the reference kernels run).
struct OwnedWeights {
  TernaryWeights ternary;
  std::vector<float> dense;  // empty for ternary weights
  explicit OwnedWeights(const Problem& p);
};

// The effective dense weights (rows x cols, OHWI) of a problem with ternary or dense weights.
std::vector<float> dense_weights(const Problem& p);

}  // namespace tnn::kernels::ops
