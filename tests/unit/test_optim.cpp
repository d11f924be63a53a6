// Optimizer behaviour the trainer pins down across LibTorch versions (lib/train/optim.cpp):
// gradients zeroed in place (1.13's zero_grad; 2.x's sets them to none), and the hex-keyed
// optimizer state of LibTorch < 2.2, which 2.2+ cannot map back to parameters.
#include "tnn/train.hpp"

#include <catch2/catch.hpp>

#include <sstream>

namespace {
torch::optim::SGD momentum_sgd(const std::vector<torch::Tensor>& params) {
  return torch::optim::SGD(params, torch::optim::SGDOptions(0.1).momentum(0.9));
}
}  // namespace

TEST_CASE("optim: gradients are zeroed in place, so a step without one still applies momentum",
          "[optim]") {
  auto a = torch::ones({3}, torch::requires_grad());
  auto b = torch::ones({2}, torch::requires_grad());
  auto opt = momentum_sgd({a, b});
  (a.sum() * 2 + b.sum()).backward();
  opt.step();  // both get a momentum buffer
  tnn::zero_grad_in_place(opt);
  REQUIRE(a.grad().defined());
  CHECK(a.grad().abs().sum().item<float>() == 0.0f);
  CHECK(b.grad().defined());
  const auto b_before = b.detach().clone();
  (a.sum() * 2).backward();  // b gets no gradient in this step
  opt.step();
  // b's buffer 1.0 decays to 0.9 and still moves b by lr * 0.9 (LibTorch 2.x's zero_grad()
  // would leave b.grad() undefined and SGD would skip b).
  CHECK((b_before - b.detach()).max().item<float>() == Approx(0.09f));
  auto c = torch::ones({1}, torch::requires_grad());  // never had a gradient: stays undefined
  auto opt_c = momentum_sgd({c});
  tnn::zero_grad_in_place(opt_c);
  CHECK_FALSE(c.grad().defined());
}

TEST_CASE("optim: saved optimizer state is recognised by its key format", "[optim]") {
  auto a = torch::ones({3}, torch::requires_grad());
  auto opt = momentum_sgd({a});
  a.sum().backward();
  opt.step();
  torch::serialize::OutputArchive out;
  opt.save(out);
  std::stringstream bytes;
  out.save_to(bytes);
  torch::serialize::InputArchive in;
  in.load_from(bytes);
  // What this LibTorch writes: parameter addresses, printed in hex before 2.2, in decimal after.
  const bool hex = TORCH_VERSION_MAJOR < 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR < 2);
  CHECK(tnn::optimizer_state_has_hex_keys(in) == hex);
  // Whatever this version wrote, it reads back and resumes the momentum.
  auto b = torch::ones({3}, torch::requires_grad());
  auto opt_b = momentum_sgd({b});
  tnn::load_optimizer(opt_b, in, "test archive");
  b.sum().backward();
  opt_b.step();  // buffer 0.9 * 1 + 1 = 1.9: b = 1 - 0.19
  CHECK(b.detach()[0].item<float>() == Approx(1.0f - 0.19f));
}
