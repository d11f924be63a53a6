#include "shapes.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace tnn::bench::gpu {

using nlohmann::json;

std::string GemmShape::str() const {
  if (!name.empty()) return name;
  return "M" + std::to_string(m) + "-N" + std::to_string(n) + "-K" + std::to_string(k);
}

std::string ConvLayer::str() const {
  const auto& s = shape;
  return "C" + std::to_string(s.c) + "-K" + std::to_string(s.k) + "-H" + std::to_string(s.h) +
         "-W" + std::to_string(s.w) + "-k3-s" + std::to_string(s.stride) + "-p1-n" +
         std::to_string(s.n);
}

namespace {

json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open shapes file " + path);
  try {
    return json::parse(in);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

std::string dir_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// A section is either inline (an array) or {"from": "<file next to gpu.json>", "extra": [...]}.
json section(const json& doc, const char* key, const std::string& dir, const char* list_key) {
  const json& s = doc.at(key);
  if (s.is_array()) return s;
  json out = json::array();
  if (s.contains("from")) {
    const json other = read_json(dir + "/" + s.at("from").get<std::string>());
    for (const auto& e : other.at(list_key)) out.push_back(e);
  }
  for (const auto& e : s.value("extra", json::array())) out.push_back(e);
  return out;
}

}  // namespace

Shapes load_shapes(const std::string& path) {
  const json doc = read_json(path);
  const std::string dir = dir_of(path);
  Shapes s;
  s.zero_frac = doc.value("zero_fraction", 0.45f);
  try {
    for (const auto& g : section(doc, "gemv", dir, "shapes")) {
      GemmShape v;
      v.n = g.at("rows").get<int>();
      v.k = g.at("cols").get<int>();
      v.name = g.value("name", std::to_string(v.n) + "x" + std::to_string(v.k));
      s.gemv.push_back(v);
    }
    for (const auto& g : doc.at("gemm"))
      s.gemm.push_back({g.at("m").get<int>(), g.at("n").get<int>(), g.at("k").get<int>(), ""});
    const json& conv = doc.at("conv");
    json conv_doc = conv;
    if (conv.contains("from")) conv_doc = read_json(dir + "/" + conv.at("from").get<std::string>());
    for (int batch : conv_doc.at("batches").get<std::vector<int>>())
      for (const auto& l : conv_doc.at("layers")) {
        if (l.value("kernel", 3) != 3 || l.value("pad", 1) != 1) {
          std::fprintf(stderr, "shapes: layer %s is not 3x3/pad 1, skipped\n",
                       l.value("name", "?").c_str());
          continue;
        }
        ConvLayer c;
        c.name = l.at("name").get<std::string>();
        c.shape.n = batch;
        c.shape.c = l.at("c").get<int>();
        c.shape.k = l.at("k").get<int>();
        c.shape.h = l.at("h").get<int>();
        c.shape.w = l.value("w", c.shape.h);
        c.shape.stride = l.at("stride").get<int>();
        s.conv.push_back(c);
      }
  } catch (const json::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  return s;
}

}  // namespace tnn::bench::gpu
