// PyTorch extension: the ternarizers of libtnn as torch.ops.tnn.* (docs/pytorch.md). Loaded with
// torch.ops.load_library(path); no pybind11, only TorchScript operator and class registration, so
// it works from Python and TorchScript alike. Gradients flow through each method's own autograd
// function (the kernels are registered as CompositeImplicitAutograd).
//
//   torch.ops.tnn.ternarize(w, method, params_json="{}") -> W_t
//       one-shot: a fresh ternarizer with the method's initial state derived from w (as
//       `tnn ternarize`), differentiable w.r.t. w.
//   torch.ops.tnn.methods() -> list of method names (the registry's order)
//   torch.classes.tnn.Ternarizer(method, params_json): a persistent ternarizer for training,
//       .forward(w), .parameters() (its own learned tensors: TTQ's W_p/W_n, TGA's delta; give them
//       to an optimizer), .init_from_weight(w), .train(mode), .decompose(w) -> [codes, scale_pos,
//       scale_neg] per term, .terms().
#include "tnn/ternarize.hpp"

#include <torch/custom_class.h>
#include <torch/library.h>

namespace {

std::shared_ptr<tnn::Ternarizer> make(const std::string& method, const std::string& params_json,
                                      const std::string& where) {
  nlohmann::json params;
  try {
    params = nlohmann::json::parse(params_json);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(where + ": params must be a JSON object, got '" + params_json +
                                "': " + e.what());
  }
  return tnn::make_ternarizer({method, params}, where);
}

at::Tensor ternarize(const at::Tensor& weight, const std::string& method,
                     const std::string& params_json) {
  auto q = make(method, params_json, "torch.ops.tnn.ternarize(" + method + ")");
  q->init_from_weight(weight.detach());
  q->eval();  // a one-shot call updates no state (LQ-Net's levels)
  return q->forward(weight);
}

std::vector<std::string> methods() {
  std::vector<std::string> names;
  for (const auto& info : tnn::ternarizer_registry()) names.push_back(info.name);
  return names;
}

struct TernarizerHolder : torch::CustomClassHolder {
  TernarizerHolder(const std::string& method, const std::string& params_json)
      : q(make(method, params_json, "torch.classes.tnn.Ternarizer(" + method + ")")) {}
  at::Tensor forward(const at::Tensor& w) { return q->forward(w); }
  void init_from_weight(const at::Tensor& w) { q->init_from_weight(w.detach()); }
  std::vector<at::Tensor> parameters() { return q->parameters(/*recurse=*/false); }
  void train(bool mode) { q->train(mode); }
  int64_t terms() { return q->terms(); }
  std::vector<at::Tensor> decompose(const at::Tensor& w) {
    std::vector<at::Tensor> out;
    for (const auto& t : q->decompose(w))
      out.insert(out.end(), {t.codes, t.scale_pos, t.scale_neg});
    return out;
  }
  std::shared_ptr<tnn::Ternarizer> q;
};

}  // namespace

TORCH_LIBRARY(tnn, m) {
  m.def("ternarize(Tensor weight, str method, str params_json=\"{}\") -> Tensor", &ternarize);
  m.def("methods() -> str[]", &methods);
  m.class_<TernarizerHolder>("Ternarizer")
      .def(torch::init<std::string, std::string>())
      .def("forward", &TernarizerHolder::forward)
      .def("init_from_weight", &TernarizerHolder::init_from_weight)
      .def("parameters", &TernarizerHolder::parameters)
      .def("train", &TernarizerHolder::train)
      .def("terms", &TernarizerHolder::terms)
      .def("decompose", &TernarizerHolder::decompose);
}
