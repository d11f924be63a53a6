// tnn forward: logits of a checkpoint in eval mode for a float32 NCHW .npy batch (already
// normalised), written as a float32 .npy [N, classes].
#include "commands.hpp"
#include "infer_common.hpp"

#include "tnn/npy.hpp"

#include <iostream>
#include <memory>
#include <stdexcept>

namespace tnn::cli {

void add_forward(CLI::App& app) {
  struct Args {
    std::string checkpoint, input, output;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "forward", "logits of a checkpoint for an NCHW float32 .npy input (eval mode)");
  cmd->add_option("--checkpoint", a->checkpoint,
                  "checkpoint (.pt) written by tnn run or tnn import")
      ->required();
  cmd->add_option("--input", a->input, "float32 .npy [N, 3, H, W], already normalised")->required();
  cmd->add_option("--output", a->output, "float32 .npy [N, classes] to write")->required();
  cmd->callback([a] {
    auto net = load_network(a->checkpoint);
    NpyArray in = read_npy_f32(a->input);
    if (in.shape.size() != 4 || in.shape[1] != 3)
      throw std::invalid_argument(a->input +
                                  ": expected a float32 array of shape [N, 3, H, W], got " +
                                  std::to_string(in.shape.size()) + " dimensions");
    auto x = torch::from_blob(in.data.data(), {in.shape[0], in.shape[1], in.shape[2], in.shape[3]},
                              torch::kFloat);
    if (net->config().channels_last) x = x.contiguous(at::MemoryFormat::ChannelsLast);
    torch::NoGradGuard ng;
    auto y = net->forward(x).contiguous();
    NpyArray out;
    out.shape = {y.size(0), y.size(1)};
    out.data.assign(y.data_ptr<float>(), y.data_ptr<float>() + y.numel());
    write_npy_f32(a->output, out);
    std::cout << a->output << ": logits [" << y.size(0) << ", " << y.size(1) << "]\n";
  });
}

}  // namespace tnn::cli
