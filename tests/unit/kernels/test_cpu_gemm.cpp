// Optimized GEMV/GEMM (LUT FP32 and W2A8) against the reference, for every ISA this CPU runs:
// bit-exact on small integers with power-of-two scales, within a K-scaled bound on floats.
#include <catch2/catch.hpp>

#include "kernel_test_util.hpp"
#include "tnn/kernels/cpu.hpp"
#include "tnn/kernels/ref.hpp"

#include <cfloat>

using namespace tnn::kernels;
using namespace tnn::kernels::testing;

namespace {

struct GemmCase {
  int64_t rows, cols, n;
  WeightSpec spec;
  bool with_epilogue;
};

std::vector<GemmCase> gemm_cases() {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int64_t> rows(1, 70), cols(1, 150), batch(1, 9);
  std::uniform_int_distribution<int> terms(1, 4), coin(0, 1);
  std::vector<GemmCase> cases = {
      {16, 16, 1, {0.4, 1, false, false}, false},  // one block, batch 1
      {33, 17, 1, {0.0, 1, true, false}, true},    // no zeros, K not a multiple of 16
      {20, 31, 3, {1.0, 1, false, false}, true},   // all zeros: only the epilogue remains
      {64, 256, 5, {0.5, 2, true, true}, true},    // 2 asymmetric terms
      {1, 1, 1, {0.0, 1, false, false}, false},   {17, 1000, 2, {0.45, 4, true, true}, true},
  };
  for (int i = 0; i < 40; ++i)
    cases.push_back({rows(rng),
                     cols(rng),
                     batch(rng),
                     {std::uniform_real_distribution<double>(0, 1)(rng), terms(rng), coin(rng) == 1,
                      coin(rng) == 1},
                     coin(rng) == 1});
  return cases;
}

std::string describe(const GemmCase& c) {
  return std::to_string(c.rows) + "x" + std::to_string(c.cols) + " n=" + std::to_string(c.n) +
         " zeros=" + std::to_string(c.spec.zero_fraction) +
         " terms=" + std::to_string(c.spec.terms) +
         (c.spec.per_channel ? " per-channel" : " per-layer") + (c.spec.asymmetric ? " asym" : "");
}

}  // namespace

TEST_CASE("cpu: ISA selection reports unsupported ISAs", "[cpu]") {
  CHECK_THROWS_AS(isa_from_name("sse9"), std::invalid_argument);
  CHECK(resolve_isa(Isa::kScalar) == Isa::kScalar);
  CHECK(!supported_isas().empty());
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
    std::string why;
    if (isa_supported(isa, &why)) continue;
    CHECK_THROWS_WITH(resolve_isa(isa), Catch::Contains("missing CPU features"));
  }
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512})
    if (!isa_supported(isa)) WARN("this CPU cannot test the " << isa_name(isa) << " path");
}

TEST_CASE("cpu: FP32 LUT GEMV/GEMM is bit-exact on small integers", "[cpu][gemm]") {
  std::mt19937 rng(99);
  for (Isa isa : supported_isas()) {
    DYNAMIC_SECTION(isa_label(isa)) {
      for (const auto& c : gemm_cases()) {
        INFO(describe(c));
        auto w = random_ternary(c.rows, c.cols, c.spec, rng);
        Epilogue ep = c.with_epilogue ? exact_epilogue(c.rows, true, rng) : Epilogue{};
        auto x = small_int_floats(c.n * c.cols, 8, rng);
        std::vector<float> want(size_t(c.n * c.rows)), got(want.size(), -1.0f);
        ref::gemm(w, x.data(), c.n, want.data());
        ref::apply_epilogue(ep, want.data(), c.n, c.rows);
        const LutMatrix packed = prepack_lut(w, ep);
        if (c.n == 1)
          gemv_f32(packed, x.data(), got.data(), isa);
        else
          gemm_f32(packed, x.data(), c.n, got.data(), isa);
        CHECK(count_mismatches(want, got) == 0);
      }
    }
  }
}

TEST_CASE("cpu: W2A8 GEMV/GEMM is bit-exact on small integers", "[cpu][gemm]") {
  std::mt19937 rng(5);
  for (Isa isa : supported_isas()) {
    DYNAMIC_SECTION(isa_label(isa)) {
      for (const auto& c : gemm_cases()) {
        for (int32_t zp : {0, 128, 3}) {
          INFO(describe(c) << " zero_point=" << zp);
          auto w = random_ternary(c.rows, c.cols, c.spec, rng);
          Epilogue ep = c.with_epilogue ? exact_epilogue(c.rows, false, rng) : Epilogue{};
          auto xq = random_u8(c.n * c.cols, rng);
          const QuantParams qp{0.25f, zp};
          std::vector<float> want(size_t(c.n * c.rows)), got(want.size(), -1.0f);
          ref::gemm_w2a8(w, xq.data(), c.n, qp, want.data());
          ref::apply_epilogue(ep, want.data(), c.n, c.rows);
          const VnniMatrix packed = prepack_vnni(w, ep);
          if (c.n == 1)
            gemv_w2a8(packed, xq.data(), qp, got.data(), isa);
          else
            gemm_w2a8(packed, xq.data(), c.n, qp, got.data(), isa);
          CHECK(count_mismatches(want, got) == 0);
        }
      }
    }
  }
}

TEST_CASE("cpu: FP32 LUT GEMM on random floats stays within a K-scaled bound", "[cpu][gemm]") {
  std::mt19937 rng(17);
  for (Isa isa : supported_isas()) {
    DYNAMIC_SECTION(isa_label(isa)) {
      for (int64_t cols : {7, 100, 4096}) {
        const int64_t rows = 37, n = 3;
        auto w = random_ternary(rows, cols, {0.4, 2, true, true}, rng);
        for (auto& t : w.terms)
          for (auto* s : {&t.scale_pos, &t.scale_neg})
            for (auto& v : *s) v *= 0.37f;  // not a power of two any more
        auto x = random_floats(n * cols, rng);
        std::vector<float> want(size_t(n * rows)), got(want.size());
        ref::gemm(w, x.data(), n, want.data());
        gemm_f32(prepack_lut(w), x.data(), n, got.data(), isa);
        for (int64_t i = 0; i < n; ++i) {
          double abs_sum = 0;
          for (int64_t c = 0; c < cols; ++c) abs_sum += std::fabs(x[size_t(i * cols + c)]);
          // Each term's scale <= 2*0.37; both paths round at most ~cols times.
          const double bound = 4.0 * double(cols) * FLT_EPSILON * abs_sum * 2 * 0.74;
          for (int64_t r = 0; r < rows; ++r)
            CHECK(std::fabs(want[size_t(i * rows + r)] - got[size_t(i * rows + r)]) <= bound);
        }
      }
    }
  }
}

TEST_CASE("cpu: prepack rejects bad inputs", "[cpu][gemm]") {
  std::mt19937 rng(3);
  auto w = random_ternary(4, 8, {0.4, 1, false, false}, rng);
  Epilogue bad;
  bad.mul = {1.0f, 2.0f};
  CHECK_THROWS_AS(prepack_lut(w, bad), std::invalid_argument);
  w.terms[0].scale_pos = {1.0f, 2.0f};
  CHECK_THROWS_AS(prepack_vnni(w), std::invalid_argument);
}
