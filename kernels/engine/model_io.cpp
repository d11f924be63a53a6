// .tnn serialization (docs/packed-format.md): header, JSON, 64-byte aligned blob. Writes go to
// a temporary file renamed over the target, so a reader never sees a half-written model.
#include "tnn/kernels/model.hpp"

#include "tnn/kernels/pack.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <stdexcept>

namespace tnn::kernels {

namespace {

using json = nlohmann::json;

constexpr uint64_t kHeaderBytes = 32;
constexpr uint64_t kAlign = 64;

uint64_t align_up(uint64_t v) {
  return (v + kAlign - 1) / kAlign * kAlign;
}

// Collects tensors into the blob and their descriptions into JSON.
class BlobWriter {
 public:
  std::string add(const std::string& name, const std::string& dtype, std::vector<int64_t> shape,
                  const void* data, size_t bytes) {
    if (tensors_.contains(name)) throw std::invalid_argument("duplicate tensor name " + name);
    const uint64_t offset = align_up(blob_.size());
    blob_.resize(offset + bytes, 0);
    if (bytes) std::memcpy(blob_.data() + offset, data, bytes);
    tensors_[name] = {{"dtype", dtype}, {"shape", shape}, {"offset", offset}, {"bytes", bytes}};
    return name;
  }
  json add_floats(const std::string& name, const std::vector<float>& v) {
    if (v.empty()) return nullptr;
    return add(name, "f32", {int64_t(v.size())}, v.data(), v.size() * sizeof(float));
  }
  json tensors() const { return tensors_; }
  std::vector<uint8_t>& blob() { return blob_; }

 private:
  json tensors_ = json::object();
  std::vector<uint8_t> blob_;
};

json weights_json(const Node& n, BlobWriter& bw, int64_t rows, int64_t cols) {
  const LayerWeights& w = n.weights;
  if (!w.ternary)
    return {{"kind", "dense"},
            {"tensor", bw.add(n.name + ".weight", "f32", {rows, cols}, w.dense.data(),
                              w.dense.size() * sizeof(float))}};
  json terms = json::array();
  for (size_t t = 0; t < w.tern.terms.size(); ++t) {
    const auto& term = w.tern.terms[t];
    const std::string base = n.name + ".t" + std::to_string(t);
    terms.push_back({{"codes", bw.add(base + ".codes", "ternary2", {rows, cols}, term.codes.data(),
                                      term.codes.size())},
                     {"scale_pos", bw.add_floats(base + ".scale_pos", term.scale_pos)},
                     {"scale_neg", bw.add_floats(base + ".scale_neg", term.scale_neg)}});
  }
  return {{"kind", "ternary"}, {"rows", rows}, {"cols", cols}, {"terms", terms}};
}

// Reads tensors back out of the blob with bounds and type checks.
class BlobReader {
 public:
  BlobReader(const json& tensors, const uint8_t* blob, uint64_t size, std::string origin)
      : tensors_(tensors), blob_(blob), size_(size), origin_(std::move(origin)) {}

  const uint8_t* bytes(const std::string& name, const std::string& dtype, uint64_t expect) const {
    if (!tensors_.contains(name)) fail("tensor '" + name + "' is not listed in \"tensors\"");
    const json& t = tensors_.at(name);
    if (t.at("dtype").get<std::string>() != dtype)
      fail("tensor '" + name + "' has dtype " + t.at("dtype").get<std::string>() + ", expected " +
           dtype);
    const uint64_t offset = t.at("offset").get<uint64_t>(), bytes = t.at("bytes").get<uint64_t>();
    if (offset % kAlign != 0) fail("tensor '" + name + "' is not 64-byte aligned");
    if (offset > size_ || bytes > size_ - offset) fail("tensor '" + name + "' overruns the blob");
    if (bytes != expect)
      fail("tensor '" + name + "' holds " + std::to_string(bytes) + " bytes, expected " +
           std::to_string(expect));
    return blob_ + offset;
  }
  std::vector<float> floats(const json& ref, int64_t allowed_a, int64_t allowed_b = -1) const {
    if (ref.is_null()) return {};
    const std::string name = ref.get<std::string>();
    const json& t = tensors_.at(name);
    const uint64_t count = t.at("bytes").get<uint64_t>() / sizeof(float);
    if (int64_t(count) != allowed_a && int64_t(count) != allowed_b)
      fail("tensor '" + name + "' has " + std::to_string(count) + " values");
    std::vector<float> v(count);
    std::memcpy(v.data(), bytes(name, "f32", count * sizeof(float)), count * sizeof(float));
    return v;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(origin_ + ": " + what);
  }

 private:
  const json& tensors_;
  const uint8_t* blob_;
  uint64_t size_;
  std::string origin_;
};

LayerWeights read_weights(const json& j, const BlobReader& br, int64_t rows, int64_t cols) {
  LayerWeights w;
  const std::string kind = j.at("kind").get<std::string>();
  if (kind == "dense") {
    w.dense.resize(size_t(rows * cols));
    std::memcpy(w.dense.data(),
                br.bytes(j.at("tensor").get<std::string>(), "f32", w.dense.size() * sizeof(float)),
                w.dense.size() * sizeof(float));
    return w;
  }
  if (kind != "ternary") br.fail("weights kind must be dense or ternary, not " + kind);
  w.ternary = true;
  w.tern.rows = rows;
  w.tern.cols = cols;
  if (j.at("rows").get<int64_t>() != rows || j.at("cols").get<int64_t>() != cols)
    br.fail("ternary weights are not " + std::to_string(rows) + "x" + std::to_string(cols));
  const uint64_t code_bytes = uint64_t(rows) * packed_row_bytes(size_t(cols));
  for (const json& t : j.at("terms")) {
    TernaryTerm term;
    const uint8_t* codes = br.bytes(t.at("codes").get<std::string>(), "ternary2", code_bytes);
    term.codes.assign(codes, codes + code_bytes);
    term.scale_pos = br.floats(t.at("scale_pos"), 1, rows);
    term.scale_neg = br.floats(t.at("scale_neg"), 1, rows);
    w.tern.terms.push_back(std::move(term));
  }
  return w;
}

void check_keys(const json& node, const std::set<std::string>& allowed, const BlobReader& br) {
  for (const auto& [key, value] : node.items())
    if (!allowed.count(key))
      br.fail("node '" + node.value("name", std::string("?")) + "' has unknown field \"" + key +
              "\"");
}

}  // namespace

std::vector<uint8_t> serialize_model(const Model& m) {
  const auto shapes = infer_shapes(m);
  BlobWriter bw;
  json nodes = json::array();
  for (const Node& n : m.nodes) {
    json j = {{"op", op_name(n.op)}, {"name", n.name}, {"inputs", n.inputs}, {"output", n.output}};
    const TensorShape in = shapes.at(n.inputs[0]);
    switch (n.op) {
      case OpType::kConv2d:
        j["out_channels"] = n.out_channels;
        j["kernel"] = {n.kernel_h, n.kernel_w};
        j["stride"] = n.stride;
        j["pad"] = n.pad;
        j["relu"] = n.relu;
        j["weights"] = weights_json(n, bw, n.out_channels, n.kernel_h * n.kernel_w * in.c);
        j["affine"] = {{"mul", bw.add_floats(n.name + ".affine_mul", n.affine_mul)},
                       {"add", bw.add_floats(n.name + ".affine_add", n.affine_add)}};
        break;
      case OpType::kShortcutA:
        j["out_channels"] = n.out_channels;
        j["stride"] = n.stride;
        j["pad_front"] = n.pad_front;
        break;
      case OpType::kAdd:
        j["relu"] = n.relu;
        break;
      case OpType::kGlobalAvgPool:
        break;
      case OpType::kMaxPool2d:
        j["kernel"] = {n.kernel_h, n.kernel_w};
        j["stride"] = n.stride;
        j["pad"] = n.pad;
        break;
      case OpType::kLinear:
        j["out_channels"] = n.out_channels;
        j["weights"] = weights_json(n, bw, n.out_channels, in.h * in.w * in.c);
        j["bias"] = bw.add_floats(n.name + ".bias", n.bias);
        // Written only when used, so that classifier-only files stay as they were.
        if (!n.affine_mul.empty() || !n.affine_add.empty())
          j["affine"] = {{"mul", bw.add_floats(n.name + ".affine_mul", n.affine_mul)},
                         {"add", bw.add_floats(n.name + ".affine_add", n.affine_add)}};
        if (n.relu) j["relu"] = true;
        break;
    }
    nodes.push_back(std::move(j));
  }
  const json doc = {
      {"format", "tnn-packed-model"},
      {"version", kModelVersion},
      {"name", m.name},
      {"input", {{"name", m.input}, {"shape", {m.in_h, m.in_w, m.in_c}}, {"layout", "NHWC"}}},
      {"output", m.output},
      {"nodes", nodes},
      {"tensors", bw.tensors()},
      {"blob_bytes", bw.blob().size()},
      {"metadata", m.metadata}};
  const std::string text = doc.dump(1);
  const uint64_t json_bytes = text.size(), blob_offset = align_up(kHeaderBytes + json_bytes);
  std::vector<uint8_t> out(blob_offset + bw.blob().size(), 0);
  std::memcpy(out.data(), kModelMagic, 8);
  const uint32_t version = kModelVersion, header = uint32_t(kHeaderBytes);
  std::memcpy(out.data() + 8, &version, 4);
  std::memcpy(out.data() + 12, &header, 4);
  std::memcpy(out.data() + 16, &json_bytes, 8);
  std::memcpy(out.data() + 24, &blob_offset, 8);
  std::memcpy(out.data() + kHeaderBytes, text.data(), text.size());
  if (!bw.blob().empty()) std::memcpy(out.data() + blob_offset, bw.blob().data(), bw.blob().size());
  return out;
}

Model deserialize_model(const uint8_t* data, size_t size, const std::string& origin) {
  auto fail = [&](const std::string& what) -> void {
    throw std::runtime_error(origin + ": " + what);
  };
  if (size < kHeaderBytes || std::memcmp(data, kModelMagic, 8) != 0)
    fail("not a .tnn packed model (bad magic)");
  uint32_t version = 0, header = 0;
  uint64_t json_bytes = 0, blob_offset = 0;
  std::memcpy(&version, data + 8, 4);
  std::memcpy(&header, data + 12, 4);
  std::memcpy(&json_bytes, data + 16, 8);
  std::memcpy(&blob_offset, data + 24, 8);
  if (version != kModelVersion)
    fail("format version " + std::to_string(version) + " (this build reads version " +
         std::to_string(kModelVersion) + ")");
  if (header != kHeaderBytes || json_bytes > size - kHeaderBytes || blob_offset % kAlign != 0 ||
      blob_offset < kHeaderBytes + json_bytes || blob_offset > size)
    fail("corrupt header");
  json doc;
  try {
    doc = json::parse(data + kHeaderBytes, data + kHeaderBytes + json_bytes);
  } catch (const json::exception& e) {
    fail(std::string("bad JSON: ") + e.what());
  }
  const uint64_t blob_bytes = size - blob_offset;
  try {
    if (doc.at("blob_bytes").get<uint64_t>() != blob_bytes)
      fail("blob holds " + std::to_string(blob_bytes) + " bytes, the JSON says " +
           std::to_string(doc.at("blob_bytes").get<uint64_t>()) + " (truncated file?)");
    BlobReader br(doc.at("tensors"), data + blob_offset, blob_bytes, origin);
    Model m;
    m.name = doc.at("name").get<std::string>();
    const json& input = doc.at("input");
    m.input = input.at("name").get<std::string>();
    const auto shape = input.at("shape").get<std::vector<int64_t>>();
    if (shape.size() != 3 || input.at("layout") != "NHWC") fail("input must be [H, W, C] NHWC");
    m.in_h = shape[0], m.in_w = shape[1], m.in_c = shape[2];
    m.output = doc.at("output").get<std::string>();
    m.metadata = doc.value("metadata", json::object());
    // Shapes are needed to size the weights; infer them node by node as we go.
    Model partial = m;
    for (const json& j : doc.at("nodes")) {
      Node n;
      n.op = op_from_name(j.at("op").get<std::string>());
      n.name = j.at("name").get<std::string>();
      n.inputs = j.at("inputs").get<std::vector<std::string>>();
      n.output = j.at("output").get<std::string>();
      partial.output = n.inputs.empty() ? m.input : n.inputs[0];
      const TensorShape in = infer_shapes(partial).at(partial.output);
      std::set<std::string> keys = {"op", "name", "inputs", "output"};
      switch (n.op) {
        case OpType::kConv2d: {
          keys.insert({"out_channels", "kernel", "stride", "pad", "relu", "weights", "affine"});
          n.out_channels = j.at("out_channels").get<int64_t>();
          const auto k = j.at("kernel").get<std::vector<int64_t>>();
          if (k.size() != 2) fail("node " + n.name + ": kernel must be [kh, kw]");
          n.kernel_h = k[0], n.kernel_w = k[1];
          n.stride = j.at("stride").get<int64_t>();
          n.pad = j.at("pad").get<int64_t>();
          n.relu = j.at("relu").get<bool>();
          if (n.out_channels < 1 || n.kernel_h < 1 || n.kernel_w < 1 || in.c < 1)
            fail("node " + n.name + ": bad attributes");
          n.weights =
              read_weights(j.at("weights"), br, n.out_channels, n.kernel_h * n.kernel_w * in.c);
          n.affine_mul = br.floats(j.at("affine").at("mul"), n.out_channels);
          n.affine_add = br.floats(j.at("affine").at("add"), n.out_channels);
          break;
        }
        case OpType::kShortcutA:
          keys.insert({"out_channels", "stride", "pad_front"});
          n.out_channels = j.at("out_channels").get<int64_t>();
          n.stride = j.at("stride").get<int64_t>();
          n.pad_front = j.value("pad_front", int64_t(0));
          break;
        case OpType::kAdd:
          keys.insert("relu");
          n.relu = j.at("relu").get<bool>();
          break;
        case OpType::kGlobalAvgPool:
          break;
        case OpType::kMaxPool2d: {
          keys.insert({"kernel", "stride", "pad"});
          const auto k = j.at("kernel").get<std::vector<int64_t>>();
          if (k.size() != 2) fail("node " + n.name + ": kernel must be [kh, kw]");
          n.kernel_h = k[0], n.kernel_w = k[1];
          n.stride = j.at("stride").get<int64_t>();
          n.pad = j.at("pad").get<int64_t>();
          break;
        }
        case OpType::kLinear:
          keys.insert({"out_channels", "weights", "bias", "affine", "relu"});
          n.out_channels = j.at("out_channels").get<int64_t>();
          if (n.out_channels < 1) fail("node " + n.name + ": bad out_channels");
          n.weights = read_weights(j.at("weights"), br, n.out_channels, in.h * in.w * in.c);
          n.bias = br.floats(j.at("bias"), n.out_channels);
          if (j.contains("affine")) {
            n.affine_mul = br.floats(j.at("affine").at("mul"), n.out_channels);
            n.affine_add = br.floats(j.at("affine").at("add"), n.out_channels);
          }
          n.relu = j.value("relu", false);
          break;
      }
      check_keys(j, keys, br);
      partial.nodes.push_back(n);
      m.nodes.push_back(std::move(n));
    }
    infer_shapes(m);  // full validation, with the real output
    return m;
  } catch (const json::exception& e) {
    fail(std::string("bad model description: ") + e.what());
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
  return {};
}

void write_bytes_atomic(const std::string& path, const void* data, size_t size) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error("cannot write " + tmp);
    f.write(static_cast<const char*>(data), std::streamsize(size));
    f.flush();
    if (!f) {
      std::remove(tmp.c_str());
      throw std::runtime_error("write failed: " + tmp);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot rename " + tmp + " to " + path);
  }
}

void write_model(const Model& m, const std::string& path) {
  const auto bytes = serialize_model(m);
  write_bytes_atomic(path, bytes.data(), bytes.size());
}

Model read_model(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return deserialize_model(bytes.data(), bytes.size(), path);
}

}  // namespace tnn::kernels
