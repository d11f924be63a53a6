// torchvision state_dicts in (lib/nn/state_dict_reader.cpp reads torch.save's zip format) and our
// models out as state_dicts (torch::pickle_save writes the same format).
#include "tnn/torchvision_io.hpp"

#include "state_dict_reader.hpp"
#include "tnn/fileio.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace tnn {
namespace fs = std::filesystem;

namespace {
std::string shape_str(const torch::Tensor& t) {
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}
bool owned_by_quantizer(const std::string& name) {
  return name.find("quantizer.") != std::string::npos;
}
}  // namespace

std::vector<std::pair<std::string, torch::Tensor>> read_state_dict(const std::string& path) {
  if (!fs::exists(path)) throw std::runtime_error(path + ": state_dict file not found");
  char magic[2] = {0, 0};
  std::ifstream(path, std::ios::binary).read(magic, 2);
  if (magic[0] != 'P' || magic[1] != 'K')
    throw std::runtime_error(
        path +
        ": not a zip-format torch.save file (files written before PyTorch 1.6 use the "
        "legacy format: re-save it in Python with torch.save(torch.load(f), f2))");
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (auto& [key, t] : nn::read_torch_save_state_dict(path)) {
    std::string name = key;
    if (name.rfind("module.", 0) == 0) name = name.substr(7);  // saved from DataParallel
    out.emplace_back(name, t);
  }
  return out;
}

void load_torchvision(const std::string& path, Network& net) {
  auto file = read_state_dict(path);
  std::map<std::string, torch::Tensor> ours;
  for (const auto& p : net.named_parameters())
    if (!owned_by_quantizer(p.key())) ours[p.key()] = p.value();
  for (const auto& b : net.named_buffers()) ours[b.key()] = b.value();
  std::string unexpected, mismatched;
  std::map<std::string, bool> seen;  // in the file (shape checked or not)
  torch::NoGradGuard ng;
  for (const auto& [name, t] : file) {
    auto it = ours.find(name);
    if (it == ours.end()) {
      unexpected += (unexpected.empty() ? "" : ", ") + name;
      continue;
    }
    seen[name] = true;
    if (t.sizes() != it->second.sizes())
      mismatched += (mismatched.empty() ? "" : "; ") + name + " is " + shape_str(t) +
                    " in the file, " + shape_str(it->second) + " in the model";
  }
  std::string missing;
  for (const auto& [name, t] : ours)
    if (!seen.count(name)) missing += (missing.empty() ? "" : ", ") + name;
  std::string arch =
      net.config().arch + " (" + std::to_string(net.config().num_classes) + " classes)";
  if (!mismatched.empty())
    throw std::runtime_error(path + ": shape mismatch for " + arch + ": " + mismatched);
  if (!missing.empty())
    throw std::runtime_error(path + ": missing key(s) for " + arch + ": " + missing);
  if (!unexpected.empty())
    throw std::runtime_error(path + ": unexpected key(s) for " + arch + ": " + unexpected);
  for (const auto& [name, t] : file) ours[name].copy_(t.to(ours[name].scalar_type()));
}

void export_state_dict(Network& net, const std::string& path) {
  torch::NoGradGuard ng;
  std::map<std::string, const QuantLayer*> layer_of;  // "<layer>.weight" -> its layer
  auto layers = net.quant_layers();
  for (const auto& l : layers) layer_of[l.name + ".weight"] = &l;
  c10::Dict<std::string, at::Tensor> d;
  auto put = [&](const std::string& k, const torch::Tensor& t) {
    d.insert(k, t.detach().to(torch::kCPU).contiguous());
  };
  for (const auto& p : net.named_parameters()) {
    const std::string& name = p.key();
    auto it = layer_of.find(name);
    if (it != layer_of.end()) {
      const QuantLayer& l = *it->second;
      put(name,
          l.quantizer->forward(l.weight).to(torch::kFloat));  // the weight the forward pass uses
      if (l.quantizer->terms() > 0) {
        put(l.name + ".weight_latent", l.weight);
        auto terms = l.quantizer->decompose(l.weight);
        for (size_t k = 0; k < terms.size(); ++k) {
          const std::string pre = l.name + ".ternary." + std::to_string(k) + ".";
          put(pre + "codes", terms[k].codes);
          put(pre + "scale_pos", terms[k].scale_pos);
          put(pre + "scale_neg", terms[k].scale_neg);
        }
      }
      continue;
    }
    const std::string layer =
        name.size() > 5 ? name.substr(0, name.size() - 5) : "";  // "<layer>.bias"
    auto w = layer_of.find(layer + ".weight");
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0 && w != layer_of.end() &&
        !w->second->is_conv && w->second->quantizer->bias_multiplier() != 1) {
      // REL reference: the FC adds its bias once per term.
      put(name, p.value() * double(w->second->quantizer->bias_multiplier()));
      put(layer + ".bias_latent", p.value());
      continue;
    }
    put(name, p.value());
  }
  for (const auto& b : net.named_buffers()) put(b.key(), b.value());
  auto bytes = torch::pickle_save(c10::IValue(d));
  write_file_atomic(path, std::string(bytes.begin(), bytes.end()));
}

std::string resolve_weights_file(const std::string& name) {
  if (fs::exists(name)) return fs::absolute(name).string();
  const char* dir = std::getenv("TNN_WEIGHTS_DIR");
  if (dir != nullptr && *dir && fs::path(name).is_relative() && fs::exists(fs::path(dir) / name))
    return (fs::path(dir) / name).string();
  throw std::runtime_error(
      "train.init_from.torchvision: " + name + " not found (tried it as given" +
      std::string(dir != nullptr && *dir
                      ? " and under TNN_WEIGHTS_DIR=" + std::string(dir)
                      : "; set TNN_WEIGHTS_DIR to the folder of the torchvision .pth files") +
      "); expected a torchvision state_dict file such as resnet18-f37072fd.pth");
}

}  // namespace tnn
