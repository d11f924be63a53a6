// Weights in and out, in PyTorch's own file format (LibTorch only, no Python at run time):
// torchvision state_dicts into our models (by parameter name), and our models out as state_dicts
// that Python's torch.load reads.
#pragma once

#include "tnn/models.hpp"

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace tnn {

// Reads a state_dict file as torch.save (PyTorch >= 1.6, zip format) writes it: name -> tensor in
// file order. A "module." prefix (DataParallel) is removed. Errors name the file.
std::vector<std::pair<std::string, torch::Tensor>> read_state_dict(const std::string& path);

// Copies a torchvision state_dict into `net` by name: every parameter and buffer of the network
// (quantizer-owned ones such as TGA's delta excepted) must be in the file with the same shape and
// every tensor of the file must belong to the network; otherwise an error names the key(s).
void load_torchvision(const std::string& path, Network& net);

// Writes a state_dict Python's torch.load reads: under the torchvision names the *effective*
// weights (ternary ones for ternarized layers, FC bias times the REL bias multiplier), BN
// parameters and buffers, so torchvision's model with load_state_dict(strict=False) reproduces our
// logits; plus, per ternarized layer, "<layer>.weight_latent" (the FP latent weight),
// "<layer>.ternary.<k>.codes" (int8), ".scale_pos" and ".scale_neg", and quantizer parameters under
// their own names (e.g. "<layer>.quantizer.delta").
void export_state_dict(Network& net, const std::string& path);

// A weights file named in an experiment: an existing path as given, else under $TNN_WEIGHTS_DIR.
std::string resolve_weights_file(const std::string& name);

}  // namespace tnn
