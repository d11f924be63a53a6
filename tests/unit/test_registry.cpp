// The ternarizer registry and parameter validation: every bad config names what is wrong.
#include "test_helpers.hpp"
#include "tnn/ternarize.hpp"

using namespace tnn;
using Catch::Contains;

TEST_CASE("registry: every method of the papers and baselines is registered", "[registry]") {
  std::vector<std::string> names;
  for (const auto& info : ternarizer_registry()) names.push_back(info.name);
  CHECK(names == std::vector<std::string>{"fp", "wacv19", "twn", "ttq", "tga"});
}

TEST_CASE("registry: unknown method and parameter errors name the place and the choices", "[registry]") {
  CHECK_THROWS_WITH(make_ternarizer({"twm", {}}), Contains("unknown ternarization method 'twm'") && Contains("twn"));
  CHECK_THROWS_WITH(make_ternarizer({"wacv19", {{"delta", 0.05}}}, "exp.json:quantizer"),
                    Contains("exp.json:quantizer.params.delta") && Contains("unknown parameter") && Contains("deltas"));
  CHECK_THROWS_WITH(make_ternarizer({"twn", {{"factor", "big"}}}),
                    Contains("quantizer.params.factor") && Contains("expected a number"));
  CHECK_THROWS_WITH(make_ternarizer({"wacv19", {{"ste", "tanh"}}}),
                    Contains("quantizer.params.ste") && Contains("hardtanh_clip"));
  CHECK_THROWS_WITH(make_ternarizer({"twn", {{"granularity", "row"}}}), Contains("out_channel"));
  CHECK_THROWS_WITH(make_ternarizer({"wacv19", {{"terms", 1.5}}}), Contains("terms") && Contains("integer"));
}

TEST_CASE("registry: resolved parameters carry every default", "[registry]") {
  auto q = make_ternarizer({"tga", {}});
  const auto& p = q->params();
  CHECK(p.at("delta_init_frac") == 0.05);
  CHECK(p.at("delta_clip_sigmas") == 3.0);
  CHECK(p.at("delta_grad_clamp") == 1e-3);
  CHECK(p.at("alpha_grad") == true);
}

TEST_CASE("fp: identity forward - no ternary terms", "[registry]") {
  auto q = make_ternarizer({"fp", {}});
  auto w = torch::randn({3, 3});
  CHECK(torch::equal(q->forward(w), w));
  CHECK(q->terms() == 0);
  CHECK_THROWS(q->decompose(w));
}

TEST_CASE("every method: decompose() and forward() agree", "[registry]") {
  torch::manual_seed(5);
  auto w = torch::randn({16, 8, 3, 3}) * 0.1;
  for (const auto& info : ternarizer_registry()) {
    if (info.name == "fp") continue;
    auto q = make_ternarizer({info.name, {}});
    q->init_from_weight(w);
    INFO(info.name);
    CHECK(torch::allclose(q->forward(w), effective_weight(q->decompose(w)), 1e-6, 1e-7));
  }
}
