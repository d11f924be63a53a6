// Sparsity accounting for reports: MAC-weighted zero fraction of a model and the ideal speed-up
// a perfect zero-skipping kernel could get from it.
#pragma once

#include "tnn/kernels/model.hpp"

#include <vector>

namespace tnn::kernels {

// sum(macs_i * zeros_i) / sum(macs_i) over the given layers (dense layers count with 0 zeros
// if included); 0 for an empty list.
double mac_weighted_sparsity(const std::vector<LayerSparsity>& layers);
// Same, over the ternary layers only (what a ternary kernel can skip).
double mac_weighted_ternary_sparsity(const std::vector<LayerSparsity>& layers);
// 1 / (1 - s): the speed-up of skipping every zero at no cost; infinity for s = 1.
double ideal_skip_speedup(double sparsity);
// Ideal whole-model speed-up (Amdahl): dense layers at 1x, ternary ones at 1/(1-s_i).
double ideal_model_speedup(const std::vector<LayerSparsity>& layers);

}  // namespace tnn::kernels
