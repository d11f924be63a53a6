// Links tnn::tnn (LibTorch): ternarizes a tensor with every registered method and checks that
// the differentiable forward and the ternary decomposition agree.
#include "tnn/ternarize.hpp"

#include <cstdio>

int main() {
  torch::manual_seed(0);
  const auto w = torch::randn({8, 4, 3, 3}) * 0.1;
  int failures = 0;
  for (const auto& info : tnn::ternarizer_registry()) {
    auto q = tnn::make_ternarizer({info.name, {}});
    if (q->terms() == 0) continue;  // full precision: no ternary terms
    q->init_from_weight(w);
    q->eval();
    const bool same = torch::allclose(q->forward(w), tnn::effective_weight(q->decompose(w)));
    std::printf("%-14s %s\n", info.name.c_str(), same ? "ok" : "forward and decompose disagree");
    failures += same ? 0 : 1;
  }
  return failures;
}
