// The measures of kernels/include/tnn/kernels/measures.hpp: footprint and zero fractions.
#include "tnn/kernels/measures.hpp"

#include "tnn/kernels/pack.hpp"

#include <limits>

namespace tnn::kernels {

std::vector<double> zero_fraction_per_term(const TernaryWeights& w) {
  std::vector<double> out;
  for (const auto& t : w.terms) {
    int64_t zeros = 0;
    for (int8_t v : unpack_ternary(t.codes.data(), size_t(w.rows), size_t(w.cols))) zeros += v == 0;
    out.push_back(w.rows * w.cols == 0 ? 0.0 : double(zeros) / double(w.rows * w.cols));
  }
  return out;
}

double zero_fraction_first_term(const TernaryWeights& w) {
  return w.terms.empty() ? 0.0 : zero_fraction_per_term(w).front();
}

double zero_fraction_all_terms(const TernaryWeights& w) {
  // Every term has rows x cols codes, so the mean over terms is the fraction over all codes.
  const auto per_term = zero_fraction_per_term(w);
  double sum = 0;
  for (double z : per_term) sum += z;
  return per_term.empty() ? 0.0 : sum / double(per_term.size());
}

LayerFootprint layer_footprint(const std::string& name, const LayerWeights& w, int64_t extra_fp32) {
  LayerFootprint f;
  f.name = name;
  f.extra_fp32 = extra_fp32;
  if (!w.ternary) {
    f.weights = int64_t(w.dense.size());
    return f;
  }
  f.weights = w.tern.rows * w.tern.cols;
  f.terms = int(w.tern.terms.size());
  if (f.terms > 0)
    f.scales = int64_t(w.tern.terms[0].scale_pos.size()) * (w.tern.symmetric() ? 1 : 2);
  return f;
}

ModelFootprint sum_footprints(const std::vector<LayerFootprint>& layers) {
  ModelFootprint m;
  for (const auto& l : layers) {
    m.weights += l.weights;
    m.weight_bits += l.weight_bits();
    m.extra_fp32 += l.extra_fp32;
  }
  return m;
}

std::vector<LayerFootprint> model_footprint(const Model& m) {
  std::vector<LayerFootprint> out;
  for (const Node& n : m.nodes) {
    if (n.op != OpType::kConv2d && n.op != OpType::kLinear) continue;
    const auto extra = int64_t(n.affine_mul.size() + n.affine_add.size() + n.bias.size());
    out.push_back(layer_footprint(n.name, n.weights, extra));
  }
  return out;
}

std::vector<LayerSparsity> model_sparsity(const Model& m) {
  const auto shapes = infer_shapes(m);
  std::vector<LayerSparsity> out;
  for (const Node& n : m.nodes) {
    if (n.op != OpType::kConv2d && n.op != OpType::kLinear) continue;
    LayerSparsity l;
    l.name = n.name;
    const TensorShape in = shapes.at(n.inputs[0]);
    l.macs =
        n.op == OpType::kConv2d ? conv_shape(n, in).macs() : n.out_channels * in.h * in.w * in.c;
    l.ternary = n.weights.ternary;
    if (l.ternary) {
      l.zeros_per_term = zero_fraction_per_term(n.weights.tern);
      l.zeros_first_term = zero_fraction_first_term(n.weights.tern);
      l.zeros_all_terms = zero_fraction_all_terms(n.weights.tern);
    }
    out.push_back(l);
  }
  return out;
}

const char* zero_count_name(ZeroCount which) {
  return which == ZeroCount::kFirstTerm ? "first_term" : "all_terms";
}

double mac_weighted_zero_fraction(const std::vector<LayerSparsity>& layers, ZeroCount which,
                                  bool ternary_only) {
  double macs = 0, zeros = 0;
  for (const auto& l : layers) {
    if (ternary_only && !l.ternary) continue;
    const double z = which == ZeroCount::kFirstTerm ? l.zeros_first_term : l.zeros_all_terms;
    macs += double(l.macs);
    zeros += double(l.macs) * z;
  }
  return macs == 0 ? 0.0 : zeros / macs;
}

double ideal_skip_speedup(double sparsity) {
  return sparsity >= 1.0 ? std::numeric_limits<double>::infinity() : 1.0 / (1.0 - sparsity);
}

double ideal_model_speedup(const std::vector<LayerSparsity>& layers) {
  double before = 0, after = 0;
  for (const auto& l : layers) {
    before += double(l.macs);
    after += double(l.macs) * (l.ternary ? 1.0 - l.zeros_all_terms : 1.0);
  }
  if (after == 0) return before == 0 ? 1.0 : std::numeric_limits<double>::infinity();
  return before / after;
}

}  // namespace tnn::kernels
