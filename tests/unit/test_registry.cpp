// The ternarizer registry and parameter validation: every bad config names what is wrong; the
// method tables of docs/ternarizers.md are generated from the registry.
#include "test_helpers.hpp"
#include "tnn/fileio.hpp"
#include "tnn/ternarize.hpp"

#include <set>

using namespace tnn;
using Catch::Contains;

TEST_CASE("registry: unique names, documented parameters, a buildable default", "[registry]") {
  std::set<std::string> names;
  for (const auto& info : ternarizer_registry()) {
    INFO(info.name);
    CHECK(names.insert(info.name).second);
    CHECK(&find_ternarizer(info.name) == &info);
    CHECK_FALSE(info.summary.empty());
    for (const auto& p : info.params) CHECK_FALSE(p.doc.empty());
    CHECK((info.policy.passes_per_step == 1 || info.policy.passes_per_step == 2));
    CHECK(make_ternarizer({info.name, {}})->method() == info.name);
  }
  // The first method is the identity: bench-train and the tables compare with it.
  CHECK(make_ternarizer({ternarizer_registry().front().name, {}})->terms() == 0);
  CHECK_FALSE(has_own_state(ternarizer_registry().front()));
}

TEST_CASE("registry: docs/ternarizers.md holds the generated method tables", "[registry]") {
  const std::string doc = read_file(std::string(TNN_SOURCE_DIR) + "/docs/ternarizers.md");
  INFO("regenerate with: build/release/bin/tnn methods --update-doc docs/ternarizers.md");
  CHECK(doc.find(ternarizers_markdown()) != std::string::npos);
}

TEST_CASE("registry: unknown method and parameter errors name the place and the choices",
          "[registry]") {
  CHECK_THROWS_WITH(make_ternarizer({"twm", {}}),
                    Contains("unknown ternarization method 'twm'") && Contains("twn"));
  CHECK_THROWS_WITH(make_ternarizer({"wacv19", {{"delta", 0.05}}}, "exp.json:quantizer"),
                    Contains("exp.json:quantizer.params.delta") && Contains("unknown parameter") &&
                        Contains("deltas"));
  CHECK_THROWS_WITH(make_ternarizer({"twn", {{"factor", "big"}}}),
                    Contains("quantizer.params.factor") && Contains("expected a number"));
  CHECK_THROWS_WITH(make_ternarizer({"wacv19", {{"ste", "tanh"}}}),
                    Contains("quantizer.params.ste") && Contains("hardtanh_clip"));
  CHECK_THROWS_WITH(make_ternarizer({"twn", {{"granularity", "row"}}}), Contains("out_channel"));
  CHECK_THROWS_WITH(make_ternarizer({"wacv19", {{"terms", 1.5}}}),
                    Contains("terms") && Contains("integer"));
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
    auto q = make_ternarizer({info.name, {}});
    if (q->terms() == 0) continue;  // full precision: no ternary terms
    q->init_from_weight(w);
    q->eval();  // as packing sees it (no training-time state updates)
    INFO(info.name);
    CHECK(torch::allclose(q->forward(w), effective_weight(q->decompose(w)), 1e-6, 1e-7));
  }
}
