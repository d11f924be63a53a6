// One definition of each measure the project reports (training results, `tnn pack`, `tnn infer`,
// tables, plots): the storage footprint of the weights and the zero fractions of the ternary
// codes. The training library measures a network by packing it (lib/pack/measures.cpp) and
// calling these functions, so training-side and file-side numbers cannot drift apart.
//
// Two zero fractions, which differ for residual expansion (several terms per layer):
//  - first term: zeros of the first term's codes, the sparsity the papers' authors report;
//  - all terms:  zeros over the codes of every term, what a zero-skipping kernel skips when it
//    runs all terms.
#pragma once

#include "tnn/kernels/footprint.hpp"
#include "tnn/kernels/model.hpp"

#include <string>
#include <vector>

namespace tnn::kernels {

double zero_fraction_first_term(const TernaryWeights& w);
double zero_fraction_all_terms(const TernaryWeights& w);
std::vector<double> zero_fraction_per_term(const TernaryWeights& w);

// Storage of one conv/linear layer's weights: 2 bits per code per term plus FP32 scales (one per
// layer or per output channel, twice when the +/- levels differ), or FP32 for a dense layer.
// `extra_fp32` counts the values stored beside them (folded BN, bias).
LayerFootprint layer_footprint(const std::string& name, const LayerWeights& w,
                               int64_t extra_fp32 = 0);
ModelFootprint sum_footprints(const std::vector<LayerFootprint>& layers);
// Every conv/linear node of a packed model, in graph order.
std::vector<LayerFootprint> model_footprint(const Model& m);

// MACs per image and zero fractions of one conv/linear node (zeros are 0 for dense layers).
struct LayerSparsity {
  std::string name;
  int64_t macs = 0;
  bool ternary = false;
  double zeros_first_term = 0;
  double zeros_all_terms = 0;
  std::vector<double> zeros_per_term;
};
std::vector<LayerSparsity> model_sparsity(const Model& m);

enum class ZeroCount { kFirstTerm, kAllTerms };
const char* zero_count_name(ZeroCount which);  // "first_term" | "all_terms"

// sum(macs_i * zeros_i) / sum(macs_i); ternary_only: over the ternary layers only (what a
// ternary kernel can skip), else dense layers count with 0 zeros. 0 for an empty list.
double mac_weighted_zero_fraction(const std::vector<LayerSparsity>& layers, ZeroCount which,
                                  bool ternary_only);
// 1 / (1 - s): the speed-up of skipping every zero at no cost; infinity for s = 1.
double ideal_skip_speedup(double sparsity);
// Ideal whole-model speed-up (Amdahl) of skipping every zero code of every term: dense layers
// at 1x, ternary ones at 1 / (1 - zeros over all terms).
double ideal_model_speedup(const std::vector<LayerSparsity>& layers);

}  // namespace tnn::kernels
