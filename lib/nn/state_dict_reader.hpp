// Internal: reads a torch.save state_dict file (zip format) without LibTorch's pickle_load.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace tnn::nn {

// name -> tensor in file order; errors name the file and what was not understood.
std::vector<std::pair<std::string, torch::Tensor>> read_torch_save_state_dict(
    const std::string& path);

}  // namespace tnn::nn
