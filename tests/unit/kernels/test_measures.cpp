// The measures of kernels/measures.hpp on hand-computed cases: zero fractions of the first term
// vs all terms (they differ for residual expansion), MAC weighting, footprint of a packed model.
#include <catch2/catch.hpp>

#include "tnn/kernels/measures.hpp"

using namespace tnn::kernels;

namespace {
// A 2 x 4 linear layer with two terms (residual expansion):
//   term 1: [+1 0 -1 0 | 0 0 +1 +1]  -> 4 zeros of 8
//   term 2: [ 0 0  0 +1 | 0 0  0  0] -> 7 zeros of 8
TernaryWeights two_terms() {
  return make_ternary(2, 4, {{1, 0, -1, 0, 0, 0, 1, 1}, {0, 0, 0, 1, 0, 0, 0, 0}},
                      {{0.5f}, {0.125f}}, {{0.5f}, {0.125f}});
}
}  // namespace

TEST_CASE("measures: zeros of the first term vs zeros over all terms", "[measures]") {
  const auto w = two_terms();
  CHECK(zero_fraction_first_term(w) == Approx(4.0 / 8));
  CHECK(zero_fraction_all_terms(w) == Approx(11.0 / 16));
  CHECK(zero_fraction_per_term(w) == std::vector<double>{0.5, 0.875});
  // One term: both measures agree.
  const auto one = make_ternary(1, 4, {{1, 0, 0, -1}}, {{1.0f}}, {{1.0f}});
  CHECK(zero_fraction_first_term(one) == zero_fraction_all_terms(one));
  CHECK(zero_fraction_all_terms(one) == Approx(0.5));
}

TEST_CASE("measures: MAC-weighted zero fractions and the ideal speed-up", "[measures]") {
  std::vector<LayerSparsity> layers(3);
  layers[0] = {"a", 100, true, 0.5, 0.75, {0.5, 1.0}};
  layers[1] = {"b", 300, true, 0.25, 0.25, {0.25}};
  layers[2] = {"dense", 600, false, 0, 0, {}};
  // Ternary layers only: (100*0.5 + 300*0.25) / 400 and (100*0.75 + 300*0.25) / 400.
  CHECK(mac_weighted_zero_fraction(layers, ZeroCount::kFirstTerm, true) == Approx(0.3125));
  CHECK(mac_weighted_zero_fraction(layers, ZeroCount::kAllTerms, true) == Approx(0.375));
  // Dense layers count with no zeros: 150 / 1000.
  CHECK(mac_weighted_zero_fraction(layers, ZeroCount::kAllTerms, false) == Approx(0.15));
  CHECK(mac_weighted_zero_fraction({}, ZeroCount::kFirstTerm, true) == 0.0);
  // 1000 MACs before, 100*0.25 + 300*0.75 + 600 after skipping every zero of every term.
  CHECK(ideal_model_speedup(layers) == Approx(1000.0 / 850.0));
  CHECK(std::string(zero_count_name(ZeroCount::kFirstTerm)) == "first_term");
}

TEST_CASE("measures: footprint and sparsity of a packed model", "[measures]") {
  Model m;
  m.name = "fc-only";
  m.in_h = m.in_w = 1;
  m.in_c = 4;
  LayerWeights lw;
  lw.ternary = true;
  lw.tern = two_terms();
  m.nodes.push_back(make_linear("fc", m.input, "logits", 2, lw, {0.0f, 0.0f}));
  m.output = "logits";

  const auto fp = model_footprint(m);
  REQUIRE(fp.size() == 1);
  CHECK(fp[0].weights == 8);
  CHECK(fp[0].terms == 2);
  CHECK(fp[0].scales == 1);      // one symmetric scale per term
  CHECK(fp[0].extra_fp32 == 2);  // the bias
  // 2 terms x 8 codes x 2 bits + 2 scales x 32 bits = 96 bits for 8 weights.
  CHECK(fp[0].weight_bits() == 96);
  CHECK(sum_footprints(fp).weight_compression() == Approx(32.0 * 8 / 96));

  const auto sp = model_sparsity(m);
  REQUIRE(sp.size() == 1);
  CHECK(sp[0].macs == 8);
  CHECK(sp[0].zeros_first_term == Approx(0.5));
  CHECK(sp[0].zeros_all_terms == Approx(11.0 / 16));

  // Asymmetric levels store two scales per term; a dense layer stores FP32.
  LayerWeights asym;
  asym.ternary = true;
  asym.tern = make_ternary(2, 4, {{1, 0, -1, 0, 0, 0, 1, 1}}, {{0.5f, 0.25f}}, {{0.4f, 0.25f}});
  CHECK(layer_footprint("x", asym).scales == 4);
  LayerWeights dense;
  dense.dense.assign(8, 1.0f);
  CHECK(layer_footprint("y", dense).weight_bits() == 8 * 32);
}
