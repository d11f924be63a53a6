// tnn import: a torchvision state_dict (torch.save file) -> a full-precision checkpoint of ours.
#include "commands.hpp"
#include "params.hpp"

#include "tnn/experiment.hpp"
#include "tnn/fileio.hpp"
#include "tnn/ternarize.hpp"
#include "tnn/torchvision_io.hpp"
#include "tnn/train.hpp"

#include <iostream>
#include <memory>

namespace tnn::cli {

void add_import(CLI::App& app) {
  struct Args {
    std::string from = "torchvision", arch, input, output, method = "fp", first_last = "fp";
    std::vector<std::string> params;
    int64_t num_classes = 1000;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("import",
                                 "read a torchvision state_dict into a full-precision checkpoint");
  cmd->add_option("--from", a->from, "source format (torchvision)")
      ->check(CLI::IsMember({"torchvision"}));
  cmd->add_option("--arch", a->arch,
                  "model: resnet18 | resnet34 | resnet50 | resnet101 | alexnet_bn")
      ->required();
  cmd->add_option("--input", a->input,
                  "state_dict file as torch.save writes it, e.g. resnet18-f37072fd.pth")
      ->required();
  cmd->add_option("--output", a->output, "checkpoint to write (.pt)")->required();
  cmd->add_option("--num-classes", a->num_classes, "classifier outputs (default 1000)");
  cmd->add_option("--method", a->method,
                  "ternarizer of the new checkpoint (default fp: the weights as they are)");
  cmd->add_option("--param", a->params,
                  "ternarizer parameter key=value (repeatable), e.g. terms=2");
  cmd->add_option("--first-last", a->first_last,
                  "first conv and last FC: fp (ff_lf, default) or ternary (fq_lq)")
      ->check(CLI::IsMember({"fp", "ternary"}));
  cmd->callback([a] {
    nlohmann::json cfg = experiment_defaults();
    cfg["id"] = "imported/" + a->arch;
    cfg["profile"] = "imported";
    cfg["description"] = "imported from the torchvision state_dict " + a->input + " (md5 " +
                         md5_file(a->input) + ")";
    cfg["data"]["dataset"] = "imagenet";
    cfg["model"]["arch"] = a->arch;
    cfg["model"]["first_layer"] = cfg["model"]["last_layer"] = a->first_last;
    cfg["model"]["num_classes"] = a->num_classes;
    cfg["quantizer"] = {{"method", a->method}, {"params", parse_key_values(a->params, "--param")}};
    auto net = make_model(model_config_of(cfg));
    load_torchvision(a->input, *net);
    // Own quantizer state re-derived from the loaded weights when the method's policy asks, as
    // train.init_from does (TGA's delta, LQ-Net's levels).
    if (find_ternarizer(a->method).policy.reinit_after_loading_weights)
      net->init_quantizers_from_weights();
    save_checkpoint(a->output, *net, nullptr, nullptr, TrainState{}, cfg);
    std::cout << a->output << ": " << a->arch << " (" << a->num_classes << " classes, " << a->method
              << ") from " << a->input << "\n";
  });
}

}  // namespace tnn::cli
