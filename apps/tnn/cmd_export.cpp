// tnn export: a checkpoint -> a state_dict file Python's torch.load reads (effective weights under
// torchvision names, latent weights, ternary codes and scales; see tnn/torchvision_io.hpp).
#include "commands.hpp"
#include "infer_common.hpp"

#include "tnn/torchvision_io.hpp"

#include <iostream>
#include <memory>

namespace tnn::cli {

void add_export(CLI::App& app) {
  struct Args {
    std::string checkpoint, output;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "export", "write a checkpoint as a PyTorch state_dict (torch.load reads it)");
  cmd->add_option("--checkpoint", a->checkpoint,
                  "checkpoint (.pt) written by tnn run or tnn import")
      ->required();
  cmd->add_option("--output", a->output, "state_dict file to write (.pth)")->required();
  cmd->callback([a] {
    auto net = load_network(a->checkpoint);
    export_state_dict(*net, a->output);
    std::cout << a->output << ": state_dict of " << net->config().arch << " ("
              << net->config().quantizer.method << "); in Python: torchvision.models."
              << net->config().arch
              << "().load_state_dict(torch.load(f, weights_only=False), strict=False) gives the "
                 "effective weights\n";
  });
}

}  // namespace tnn::cli
