// Engine elementwise helpers: every ISA bit-identical to the scalar definitions (quant.hpp).
#include <catch2/catch.hpp>

#include "kernel_test_util.hpp"
#include "tnn/kernels/cpu.hpp"
#include "tnn/kernels/quant.hpp"

using namespace tnn::kernels;
using namespace tnn::kernels::testing;

TEST_CASE("cpu: elementwise helpers match their scalar definitions", "[cpu]") {
  std::mt19937 rng(61);
  for (int64_t count : {1, 15, 16, 17, 1000, 40000}) {
    const auto a = random_floats(count, rng), b = random_floats(count, rng);
    const auto qa = random_u8(count, rng), qb = random_u8(count, rng);
    const QuantParams pa{0.037f, 128}, pb{0.05f, 3}, py{0.041f, 0};
    for (Isa isa : supported_isas()) {
      INFO(isa_label(isa) << " count " << count);
      for (bool relu : {false, true}) {
        std::vector<float> y(static_cast<size_t>(count));
        add_f32(a.data(), b.data(), y.data(), count, relu, isa);
        std::vector<uint8_t> yq(static_cast<size_t>(count)), want_q(static_cast<size_t>(count));
        add_requantize_u8(qa.data(), pa, qb.data(), pb, yq.data(), py, count, relu, isa);
        for (int64_t i = 0; i < count; ++i) {
          const float v = a[size_t(i)] + b[size_t(i)];
          CHECK(y[size_t(i)] == (relu && v < 0 ? 0.0f : v));
          float r = pa.scale * float(int32_t(qa[size_t(i)]) - pa.zero_point) +
                    pb.scale * float(int32_t(qb[size_t(i)]) - pb.zero_point);
          if (relu && r < 0) r = 0;
          want_q[size_t(i)] = quantize_one(r, py);
        }
        CHECK(yq == want_q);
      }
      std::vector<uint8_t> q(static_cast<size_t>(count)), want(static_cast<size_t>(count));
      const QuantParams qp{0.02f, 128};
      quantize_u8(a.data(), count, qp, q.data(), isa);
      quantize(a.data(), count, qp, want.data());
      CHECK(q == want);
    }
  }
}
