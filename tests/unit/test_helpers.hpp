// Small helpers shared by the unit tests.
#pragma once

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

namespace tnn::test {

inline torch::Tensor vec(std::vector<float> v) {
  return torch::tensor(v, torch::kFloat);
}

inline std::vector<int> codes_of(const torch::Tensor& t) {
  auto c = t.to(torch::kInt).contiguous();
  return std::vector<int>(c.data_ptr<int>(), c.data_ptr<int>() + c.numel());
}

inline std::vector<double> values_of(const torch::Tensor& t) {
  auto c = t.to(torch::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// Element-wise approximate equality with a readable failure message.
inline void require_close(const torch::Tensor& got, const std::vector<double>& want,
                          double tol = 1e-6) {
  auto g = values_of(got);
  REQUIRE(g.size() == want.size());
  for (size_t i = 0; i < g.size(); ++i) {
    INFO("element " << i << ": got " << g[i] << ", want " << want[i]);
    REQUIRE(g[i] == Approx(want[i]).margin(tol));
  }
}

}  // namespace tnn::test
