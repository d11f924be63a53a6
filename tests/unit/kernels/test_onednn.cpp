// oneDNN baselines against the reference (exact on small integers), and a check that the conv
// baseline runs oneDNN's fast path rather than a reference or plain-gemm fallback.
#include <catch2/catch.hpp>

#include "kernel_test_util.hpp"
#include "tnn/kernels/cpu.hpp"
#include "tnn/kernels/ref.hpp"

#ifdef TNN_HAVE_ONEDNN
#include "tnn/kernels/onednn.hpp"

using namespace tnn::kernels;
using namespace tnn::kernels::testing;

TEST_CASE("onednn: FP32 conv with bias and ReLU matches the reference", "[onednn]") {
  std::mt19937 rng(31);
  for (int64_t stride : {1, 2}) {
    ConvShape s;
    s.n = 2, s.h = s.w = 12, s.c = 16, s.k = 32, s.stride = stride;
    auto w = random_ternary(s.k, s.patch(), {0.4, 1, true, false}, rng).dense();
    auto bias = small_int_floats(s.k, 4, rng);
    auto x = small_int_floats(s.n * s.h * s.w * s.c, 8, rng);
    std::vector<float> want(size_t(s.n * s.oh() * s.ow() * s.k)), got(want.size());
    ref::conv2d_dense(s, x.data(), w.data(), want.data());
    Epilogue ep;
    ep.add = bias;
    ep.relu = true;
    ref::apply_epilogue(ep, want.data(), s.n * s.oh() * s.ow(), s.k);
    onednn::ConvF32 conv(s, w.data(), bias.data(), true);
    conv.run(x.data(), got.data());
    INFO("impl " << conv.impl());
    CHECK(count_mismatches(want, got) == 0);
    CHECK(conv.impl().find("ref") == std::string::npos);
    CHECK(conv.impl().find("gemm") == std::string::npos);
    CHECK(conv.weight_reorder_ms() >= 0.0);
  }
}

TEST_CASE("onednn: u8 x s8 conv matches the W2A8 reference", "[onednn]") {
  std::mt19937 rng(32);
  ConvShape s;
  s.n = 1, s.h = s.w = 8, s.c = 32, s.k = 16;
  auto tw = random_ternary(s.k, s.patch(), {0.4, 1, true, false}, rng);
  const auto codes = unpack_ternary(tw.terms[0].codes.data(), size_t(s.k), size_t(s.patch()));
  auto xq = random_u8(s.n * s.h * s.w * s.c, rng);
  const QuantParams qp{0.5f, 0};
  std::vector<float> want(size_t(s.n * s.oh() * s.ow() * s.k)), got(want.size());
  ref::conv2d_w2a8(s, xq.data(), qp, tw, want.data());
  std::vector<float> scales(size_t(s.k));
  for (int64_t k = 0; k < s.k; ++k) scales[size_t(k)] = qp.scale * tw.pos(0, k);
  onednn::ConvS8 conv(s, codes.data(), scales.data(), s.k, false, false);
  conv.run(xq.data(), got.data());
  INFO("impl " << conv.impl());
  CHECK(count_mismatches(want, got) == 0);
  CHECK(conv.impl().find("ref") == std::string::npos);
}

TEST_CASE("onednn: sgemv, sgemm and matmul match the reference", "[onednn]") {
  std::mt19937 rng(33);
  const int64_t rows = 37, cols = 100;
  auto w = small_int_floats(rows * cols, 2, rng);
  for (int64_t n : {1, 5}) {
    auto x = small_int_floats(n * cols, 8, rng);
    std::vector<float> want(size_t(n * rows)), got(want.size());
    ref::gemm_dense(w.data(), rows, cols, x.data(), n, want.data());
    if (n == 1) {
      onednn::sgemv(w.data(), rows, cols, x.data(), got.data());
      CHECK(count_mismatches(want, got) == 0);
      gemv_dense_f32_avx512(w.data(), rows, cols, x.data(), got.data());
      CHECK(count_mismatches(want, got) == 0);
    }
    onednn::sgemm(w.data(), rows, cols, x.data(), n, got.data());
    CHECK(count_mismatches(want, got) == 0);
    onednn::MatmulF32 mm(w.data(), rows, cols, n);
    std::fill(got.begin(), got.end(), 0.0f);
    mm.run(x.data(), got.data());
    CHECK(count_mismatches(want, got) == 0);
  }
  CHECK(!onednn::version().empty());
}

#else
TEST_CASE("onednn: not built (oneDNN not found at configure time)", "[onednn]") {
  WARN("oneDNN baselines are not part of this build");
}
#endif
