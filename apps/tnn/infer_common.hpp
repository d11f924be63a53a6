// Shared by `tnn pack` and `tnn infer`: checkpoint -> network, images -> NHWC floats, LibTorch
// logits.
#pragma once

#include "tnn/data.hpp"
#include "tnn/models.hpp"
#include "tnn/train.hpp"

#include <vector>

namespace tnn::cli {

inline std::shared_ptr<Network> load_network(const std::string& checkpoint) {
  auto meta = checkpoint_config(checkpoint);
  auto net = make_model(model_config_of(meta["config"]));
  load_checkpoint(checkpoint, *net, nullptr, nullptr, nullptr);
  net->eval();
  return net;
}

// A float NCHW batch in NHWC order, as the engine takes it.
inline std::vector<float> nhwc_floats(const torch::Tensor& x) {
  auto t = x.permute({0, 2, 3, 1}).contiguous();
  return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
}

// Normalised images (no augmentation) in NHWC order, as the engine takes them.
inline std::vector<float> nhwc_images(const torch::Tensor& images_u8) {
  AugmentOptions none;
  none.channels_last = false;
  auto idx = torch::arange(images_u8.size(0), torch::kLong);
  return nhwc_floats(make_batch(images_u8, idx, none, nullptr, torch::kCPU));
}

// Eval-mode logits of a float NCHW batch, in the memory format the network trains in.
inline torch::Tensor eval_logits(Network& net, const torch::Tensor& x) {
  torch::NoGradGuard ng;
  net.eval();
  return net
      .forward(x.contiguous(net.config().channels_last ? at::MemoryFormat::ChannelsLast
                                                       : at::MemoryFormat::Contiguous))
      .contiguous();
}

inline torch::Tensor torch_logits(Network& net, const torch::Tensor& images_u8,
                                  int64_t batch = 500) {
  torch::NoGradGuard ng;
  net.eval();
  AugmentOptions aug;
  aug.channels_last = net.config().channels_last;
  std::vector<torch::Tensor> out;
  for (int64_t s = 0; s < images_u8.size(0); s += batch) {
    auto idx = torch::arange(s, std::min(s + batch, images_u8.size(0)), torch::kLong);
    out.push_back(net.forward(make_batch(images_u8, idx, aug, nullptr, torch::kCPU)));
  }
  return torch::cat(out);
}

}  // namespace tnn::cli
