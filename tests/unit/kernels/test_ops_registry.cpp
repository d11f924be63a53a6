// The operation registry itself (ops.hpp): lookups, ISA selection, layouts and conversions.
// Every implementation's numbers are checked by test_ops (tests/ops), not here.
#include <catch2/catch.hpp>

#include "kernel_test_util.hpp"
#include "tnn/kernels/cpu.hpp"
#include "tnn/kernels/layout.hpp"
#include "tnn/kernels/ops.hpp"

#include <set>

using namespace tnn::kernels;
using namespace tnn::kernels::testing;

TEST_CASE("ops: every op has one reference and unique ids", "[ops]") {
  std::set<std::string> ids;
  for (const ops::Impl& i : ops::registry()) CHECK(ids.insert(i.id()).second);
  for (ops::Op op : ops::all_ops()) {
    int refs = 0;
    for (const ops::Impl* i : ops::impls(op)) refs += i->role == ops::Role::kReference;
    INFO(ops::op_name(op));
    CHECK(refs == 1);
    CHECK(ops::reference(op).runs_here());
    CHECK(ops::impls(op).front()->role == ops::Role::kReference);  // listed first
    CHECK(ops::op_from_name(ops::op_name(op)) == op);
  }
  CHECK_THROWS_WITH(ops::op_from_name("matmul"), Catch::Contains("conv_f32"));
  const ops::Impl* i = ops::find("conv_f32/ternary_f32/scalar");
  REQUIRE(i != nullptr);
  CHECK(i == ops::find(ops::Op::kConvF32, "ternary_f32", "scalar"));
  CHECK(ops::find("conv_f32/ternary_f32/sse9") == nullptr);
  CHECK(ops::family_role("ternary_s8") == ops::Role::kTernary);
  CHECK(ops::family_role("ref") == ops::Role::kReference);
}

TEST_CASE("ops: best() picks the widest ISA and never falls back silently", "[ops]") {
  const ops::Impl* best = ops::best(ops::Op::kConvF32, "ternary_f32");
  REQUIRE(best != nullptr);
  CHECK(best->isa == isa_name(best_isa()));
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    const ops::Impl* pick = ops::best(ops::Op::kGemmW2A8, "ternary_s8", isa);
    INFO(isa_name(isa));
    if (isa_supported(isa)) {
      REQUIRE(pick != nullptr);
      CHECK(pick->isa == isa_name(isa));
    } else {
      CHECK(pick == nullptr);
    }
  }
  CHECK(ops::best(ops::Op::kConvF32, "no_such_family") == nullptr);
}

TEST_CASE("ops: ISA selection reports unsupported ISAs", "[ops]") {
  CHECK_THROWS_AS(isa_from_name("sse9"), std::invalid_argument);
  CHECK(resolve_isa(Isa::kScalar) == Isa::kScalar);
  CHECK(!supported_isas().empty());
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
    std::string why;
    if (isa_supported(isa, &why)) continue;
    CHECK_THROWS_WITH(resolve_isa(isa), Catch::Contains("missing CPU features"));
    const ops::Impl* i = ops::find(ops::Op::kConvF32, "ternary_f32", isa_name(isa));
    REQUIRE(i != nullptr);
    CHECK(!i->runs_here(&why));
    CHECK(why.find("missing CPU features") != std::string::npos);
  }
}

TEST_CASE("ops: layout conversions round-trip and keep the padding", "[ops]") {
  std::mt19937 rng(7);
  const int64_t n = 2, h = 5, w = 7, c = 19;
  const auto x = random_floats(n * h * w * c, rng);
  const auto xq = random_u8(n * h * w * c, rng);
  const ops::Layout nhwc = ops::Layout::nhwc(ops::DType::kF32, h, w, c);
  const ops::Layout planar = ops::Layout::planar(h, w, c);
  AlignedBuffer<float> p(size_t(planar.buffer_elements(n)));
  ops::convert(nhwc, x.data(), planar, p.data(), n);
  CHECK(p[0] == 0.0f);  // slack and zero rows stay zero
  CHECK(p[size_t(planar.first_image())] == 0.0f);
  std::vector<float> back(x.size());
  ops::convert(planar, p.data(), nhwc, back.data(), n);
  CHECK(back == x);

  const ops::Layout u8 = ops::Layout::nhwc(ops::DType::kU8, h, w, c);
  const ops::Layout padded = ops::Layout::padded_u8(h, w, c, 2);
  CHECK(padded.cp == 32);
  CHECK(ops::Layout::padded_u8(h, w, 3, 1).cp == 4);
  AlignedBuffer<uint8_t> q(padded.buffer_bytes(n));
  ops::init_buffer(padded, q.data(), n, 128);
  ops::convert(u8, xq.data(), padded, q.data(), n);
  CHECK(q[0] == 128);  // border
  std::vector<uint8_t> qback(xq.size());
  ops::convert(padded, q.data(), u8, qback.data(), n);
  CHECK(qback == xq);
  CHECK_THROWS_AS(ops::convert(nhwc, x.data(), u8, qback.data(), n), std::invalid_argument);
}

TEST_CASE("ops: problems validate their weights", "[ops]") {
  std::mt19937 rng(3);
  auto w = random_ternary(4, 8, {0.4, 1, false, false}, rng);
  ops::Problem p = ops::Problem::gemm(ops::Op::kGemmF32, 4, 8, 1);
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("exactly one"));
  p.ternary = &w;
  CHECK_NOTHROW(p.validate());
  ops::Problem wrong = ops::Problem::gemm(ops::Op::kGemmF32, 5, 8, 1);
  wrong.ternary = &w;
  CHECK_THROWS_WITH(wrong.validate(), Catch::Contains("4x8"));
  Epilogue bad;
  bad.mul = {1.0f, 2.0f};
  CHECK_THROWS_AS(prepack_lut(w, bad), std::invalid_argument);
  w.terms[0].scale_pos = {1.0f, 2.0f};
  CHECK_THROWS_AS(prepack_vnni(w), std::invalid_argument);
}

TEST_CASE("conv_f32 plans: quads only for symmetric plans with long tap lists", "[ops]") {
  std::mt19937 rng(5);
  ConvShape s;
  s.n = 1, s.h = s.w = 8, s.c = 96, s.k = 10, s.kh = s.kw = 3, s.stride = 1, s.pad = 1;
  const auto sym = random_ternary(s.k, s.patch(), {0.45, 1, true, false}, rng);
  const ConvF32Plan quads = prepare_conv_f32(s, sym, {}, 4);
  CHECK(quads.width == 4);  // 96 * 9 = 864 taps per block
  CHECK(quads.bundles() == 3);
  CHECK(quads.scale_pos[0].size() == 12);  // padded to whole quads, zero past channel 10
  CHECK(quads.scale_pos[0][10] == 0.0f);
  for (const auto& g : quads.groups) {  // no all-zero pattern (channels 10, 11 are padding)
    CHECK((g.sign[0] != 0 || g.sign[1] != 0 || g.sign[2] != 0 || g.sign[3] != 0));
    CHECK(g.last > g.first);
  }
  CHECK(prepare_conv_f32(s, sym, {}, 2).width == 2);
  // Asymmetric scales keep pairs (separate +1 / -1 sums); so do short tap lists.
  CHECK(prepare_conv_f32(s, random_ternary(s.k, s.patch(), {0.45, 1, true, true}, rng), {}, 4)
            .width == 2);
  s.c = 64;  // 576 taps
  CHECK(prepare_conv_f32(s, random_ternary(s.k, s.patch(), {0.45, 1, true, false}, rng), {}, 4)
            .width == 2);
  CHECK_THROWS_WITH(prepare_conv_f32(s, random_ternary(s.k, s.patch(), {}, rng), {}, 3),
                    Catch::Contains("width 3"));
}
