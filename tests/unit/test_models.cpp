// Every registered model says truthfully whether its batch norms go through
// Network::batch_norm(), the hook synchronised batch norm replaces (lib/dist/sync_bn.cpp): a model
// that claims it must send every BatchNorm2d there, once per forward, and have no BatchNorm1d.
#include "tnn/models.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace tnn;

TEST_CASE("models: routes_batch_norm() is true exactly when every batch norm takes the hook",
          "[models]") {
  for (const auto& info : model_registry()) {
    INFO(info.name);
    ModelConfig c;
    c.arch = info.name;
    c.quantizer = {"fp", nlohmann::json::object()};
    auto net = make_model(c);
    int bn2d = 0, bn1d = 0;
    for (const auto& m : net->modules(/*include_self=*/false)) {
      bn2d += m->as<torch::nn::BatchNorm2d>() != nullptr;
      bn1d += m->as<torch::nn::BatchNorm1d>() != nullptr;
    }
    std::set<const torch::nn::BatchNorm2dImpl*> hooked;  // each module once, however often
    net->set_batch_norm([&](torch::nn::BatchNorm2dImpl& bn, const torch::Tensor& x) {
      hooked.insert(&bn);
      return bn.forward(x);
    });
    net->train();
    const int64_t side = info.name == "alexnet_bn" ? 224 : 64;
    torch::NoGradGuard ng;
    net->forward(torch::randn({2, 3, side, side}));
    CHECK(bn2d > 0);
    CHECK(net->routes_batch_norm() == (int(hooked.size()) == bn2d && bn1d == 0));
    // The ResNets (CIFAR and ImageNet) take synchronised batch norm; BN-AlexNet (BatchNorm1d in
    // its classifier) does not.
    CHECK(net->routes_batch_norm() == (info.name.rfind("resnet", 0) == 0));
  }
}
