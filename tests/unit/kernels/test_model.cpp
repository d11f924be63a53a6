// .tnn packed model: writer/reader round trip, atomic write, corrupt files, validation errors,
// footprint and sparsity accounting.
#include <catch2/catch.hpp>

#include "kernel_test_util.hpp"
#include "tnn/kernels/measures.hpp"
#include "tnn/kernels/model.hpp"
#include "tnn/kernels/synthetic.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

using namespace tnn::kernels;
using namespace tnn::kernels::testing;

namespace {

void check_same(const Model& a, const Model& b) {
  REQUIRE(a.nodes.size() == b.nodes.size());
  CHECK(a.name == b.name);
  CHECK(a.input == b.input);
  CHECK(a.output == b.output);
  CHECK((a.in_h == b.in_h && a.in_w == b.in_w && a.in_c == b.in_c));
  CHECK(a.metadata == b.metadata);
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const Node &x = a.nodes[i], &y = b.nodes[i];
    INFO("node " << x.name);
    CHECK(x.op == y.op);
    CHECK(x.name == y.name);
    CHECK(x.inputs == y.inputs);
    CHECK(x.output == y.output);
    CHECK(x.out_channels == y.out_channels);
    CHECK((x.kernel_h == y.kernel_h && x.kernel_w == y.kernel_w && x.stride == y.stride));
    CHECK((x.pad == y.pad && x.pad_front == y.pad_front && x.relu == y.relu));
    CHECK(x.affine_mul == y.affine_mul);
    CHECK(x.affine_add == y.affine_add);
    CHECK(x.bias == y.bias);
    CHECK(x.weights.ternary == y.weights.ternary);
    CHECK(x.weights.dense == y.weights.dense);
    REQUIRE(x.weights.tern.terms.size() == y.weights.tern.terms.size());
    for (size_t t = 0; t < x.weights.tern.terms.size(); ++t) {
      CHECK(x.weights.tern.terms[t].codes == y.weights.tern.terms[t].codes);
      CHECK(x.weights.tern.terms[t].scale_pos == y.weights.tern.terms[t].scale_pos);
      CHECK(x.weights.tern.terms[t].scale_neg == y.weights.tern.terms[t].scale_neg);
    }
  }
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("tnn-test-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

}  // namespace

TEST_CASE("model: serialize / deserialize round trip", "[model]") {
  for (int terms : {1, 2}) {
    SyntheticResNetOptions o;
    o.depth = 8;
    o.terms = terms;
    o.asymmetric = terms == 2;
    o.per_channel = terms == 1;
    o.fp_first = true;
    o.seed = 3;
    Model m = make_random_resnet_cifar(o);
    m.metadata["note"] = "round trip";
    const auto bytes = serialize_model(m);
    CHECK(std::memcmp(bytes.data(), kModelMagic, 8) == 0);
    uint64_t blob_offset = 0;
    std::memcpy(&blob_offset, bytes.data() + 24, 8);
    CHECK(blob_offset % 64 == 0);
    check_same(m, deserialize_model(bytes.data(), bytes.size()));
  }
}

TEST_CASE("model: write is atomic and read back from disk", "[model]") {
  Model m = make_random_resnet_cifar({});
  const std::string path = temp_path("model.tnn");
  write_model(m, path);
  check_same(m, read_model(path));
  // No temporary file is left next to it.
  for (const auto& e :
       std::filesystem::directory_iterator(std::filesystem::path(path).parent_path()))
    CHECK(e.path().string().find(path + ".tmp") == std::string::npos);
  // Overwriting keeps a valid file at every moment (rename), and the new content wins.
  m.metadata["version"] = 2;
  write_model(m, path);
  CHECK(read_model(path).metadata["version"] == 2);
  std::remove(path.c_str());
}

TEST_CASE("model: corrupt or foreign files are rejected with a reason", "[model]") {
  const Model m = make_random_resnet_cifar({});
  auto bytes = serialize_model(m);
  CHECK_THROWS_WITH(deserialize_model(bytes.data(), 10), Catch::Contains("bad magic"));
  auto truncated = bytes;
  truncated.resize(truncated.size() - 100);
  CHECK_THROWS_WITH(deserialize_model(truncated.data(), truncated.size()),
                    Catch::Contains("truncated"));
  auto wrong_version = bytes;
  wrong_version[8] = 9;
  CHECK_THROWS_WITH(deserialize_model(wrong_version.data(), wrong_version.size()),
                    Catch::Contains("version 9"));
  auto bad_json = bytes;
  bad_json[40] = '{';
  CHECK_THROWS(deserialize_model(bad_json.data(), bad_json.size()));
  CHECK_THROWS_WITH(read_model("/nonexistent/model.tnn"), Catch::Contains("cannot open"));
}

TEST_CASE("model: validation names the offending node", "[model]") {
  Model m = make_random_resnet_cifar({});
  Model bad = m;
  bad.nodes[1].inputs = {"nowhere"};
  CHECK_THROWS_WITH(infer_shapes(bad), Catch::Contains("nowhere"));
  bad = m;
  bad.nodes[0].weights.tern.terms[0].scale_pos = {1.0f, 2.0f};
  CHECK_THROWS_WITH(infer_shapes(bad), Catch::Contains("'stem'"));
  bad = m;
  bad.nodes[0].affine_mul.pop_back();
  CHECK_THROWS_WITH(infer_shapes(bad), Catch::Contains("affine"));
  bad = m;
  bad.output = "missing";
  CHECK_THROWS(infer_shapes(bad));
  const auto shapes = infer_shapes(m);
  CHECK(shapes.at("logits") == TensorShape{1, 1, 10});
  CHECK(shapes.at("stage3.0.sc") == TensorShape{8, 8, 64});
}

TEST_CASE("model: footprint and MAC-weighted sparsity", "[model]") {
  SyntheticResNetOptions o;
  o.zero_fraction = 0.45;
  o.fp_first = o.fp_last = true;
  const Model m = make_random_resnet_cifar(o);
  const auto layers = model_sparsity(m);
  REQUIRE(layers.size() == 20);  // 19 convs + fc
  int64_t macs = 0;
  for (const auto& l : layers) macs += l.macs;
  CHECK(macs == 40551040);  // ResNet-20 conv + fc MACs per image (option A)
  const double s = mac_weighted_zero_fraction(layers, ZeroCount::kAllTerms, true);
  CHECK(s == Approx(0.45).margin(0.01));
  const double with_dense = mac_weighted_zero_fraction(layers, ZeroCount::kAllTerms, false);
  CHECK(with_dense < s);  // the FP stem counts as dense
  CHECK(ideal_skip_speedup(0.5) == Approx(2.0));
  CHECK(ideal_model_speedup(layers) == Approx(1.0 / (1.0 - with_dense)));
  const auto fp = model_footprint(m);
  const ModelFootprint total = sum_footprints(fp);
  CHECK(total.weight_compression() > 10.0);
  CHECK(fp.front().terms == 0);  // FP stem
  CHECK(fp[1].terms == 1);
  CHECK(fp[1].scales == 16);  // per-channel
}
