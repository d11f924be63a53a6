// tnn ternarize: ternarize one float32 .npy tensor with any registered method, outside training,
// so the result can be compared with an independent implementation. tnn methods: the registered
// ternarizers with their parameters and training policies (the registry is the one list;
// docs/ternarizers.md holds this output between its markers). One file for both: one LibTorch
// TU less to compile.
#include "commands.hpp"
#include "params.hpp"

#include "tnn/fileio.hpp"
#include "tnn/npy.hpp"
#include "tnn/ternarize.hpp"

#include <iostream>
#include <memory>

namespace tnn::cli {
namespace {

struct Args {
  std::string method, input, output, report, grad_output, grad_input;
  std::vector<std::string> params;
};

torch::Tensor read_tensor(const std::string& path) {
  NpyArray a = read_npy_f32(path);
  return torch::from_blob(a.data.data(), a.shape, torch::kFloat).clone();
}

void write_tensor(const std::string& path, const torch::Tensor& t) {
  auto c = t.detach().to(torch::kFloat).contiguous();
  write_npy_f32(path, {c.sizes().vec(),
                       std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel())});
}

nlohmann::json to_list(const torch::Tensor& t) {
  auto c = t.to(torch::kDouble).contiguous();
  std::vector<double> v(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
  if (v.size() == 1) return v[0];
  return v;
}

void run(const Args& a) {
  QuantizerConfig config{a.method, parse_key_values(a.params, "--param")};
  auto q = make_ternarizer(config, "--param");
  q->eval();  // outside training: no state updates (LQ-Net's levels)
  NpyArray in = read_npy_f32(a.input);
  auto w = torch::from_blob(in.data.data(), in.shape, torch::kFloat).clone();
  q->init_from_weight(w);
  if (!a.grad_output.empty()) {
    // dL/dW for L = sum(G * W_t): the method's backward, for comparison with other implementations.
    auto g = read_tensor(a.grad_output);
    if (g.sizes() != w.sizes())
      throw std::invalid_argument("--grad-output " + a.grad_output +
                                  ": expected the shape of --input " + a.input);
    auto wv = w.clone().requires_grad_(true);
    q->forward(wv).backward(g);
    write_tensor(a.grad_input, wv.grad());
  }
  if (q->terms() == 0) {
    write_npy_f32(a.output, in);  // fp: identity
  } else {
    auto terms = q->decompose(w);
    auto eff = effective_weight(terms).contiguous();
    // The report must describe the same weights training would use: check against forward().
    auto fwd = q->forward(w).detach().contiguous();
    if (!torch::allclose(fwd, eff, 1e-6, 1e-7))
      throw std::logic_error("internal: decompose() and forward() of '" + a.method + "' disagree");
    NpyArray out{in.shape,
                 std::vector<float>(eff.data_ptr<float>(), eff.data_ptr<float>() + eff.numel())};
    write_npy_f32(a.output, out);
  }
  if (!a.report.empty()) {
    nlohmann::json r;
    r["method"] = a.method;
    r["params"] = q->params();
    r["input"] = a.input;
    r["shape"] = in.shape;
    r["numel"] = in.numel();
    r["terms"] = nlohmann::json::array();
    if (q->terms() > 0) {
      for (const auto& t : q->decompose(w)) {
        nlohmann::json j;
        j["threshold_lo"] = to_list(t.threshold_lo);
        j["threshold_hi"] = to_list(t.threshold_hi);
        j["delta"] = to_list((t.threshold_hi - t.threshold_lo) / 2);
        j["alpha"] = to_list(t.scale_pos);
        j["alpha_neg"] = to_list(t.scale_neg);
        j["zero_fraction"] = t.zero_fraction();
        j["plus_fraction"] = t.codes.eq(1).sum().item<double>() / double(t.codes.numel());
        j["minus_fraction"] = t.codes.eq(-1).sum().item<double>() / double(t.codes.numel());
        r["terms"].push_back(j);
      }
      // Learned quantizer parameters at the values used (TGA delta, TTQ W_p / W_n).
      for (const auto& p : q->named_parameters(/*recurse=*/false))
        r["learned"][p.key()] = to_list(p.value());
    }
    write_file_atomic(a.report, r.dump(2) + "\n");
  }
  std::cout << "ternarized " << a.input << " with " << a.method << " -> " << a.output << "\n";
}

}  // namespace

void add_ternarize(CLI::App& app) {
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "ternarize",
      "ternarize a float32 .npy tensor; writes the effective weights and a JSON report");
  std::string methods;
  for (const auto& info : ternarizer_registry())
    methods += (methods.empty() ? "" : ", ") + info.name;
  cmd->add_option("--method", args->method,
                  "method: " + methods + " (`tnn methods` lists their parameters)")
      ->required();
  cmd->add_option("--param", args->params,
                  "method parameter key=value (repeatable); see docs/ternarizers.md");
  cmd->add_option("--input", args->input, "input float32 .npy")->required();
  cmd->add_option("--output", args->output,
                  "output .npy: effective weights (sum of alpha*T over terms)")
      ->required();
  cmd->add_option("--report", args->report, "JSON report: per-term Delta, alpha, zero fraction");
  auto* gout = cmd->add_option(
      "--grad-output", args->grad_output,
      "float32 .npy G: also write dL/dW for L = sum(G * W_t) (the method's backward)");
  auto* gin = cmd->add_option("--grad-input", args->grad_input,
                              "output .npy for dL/dW (with --grad-output)");
  gout->needs(gin);
  gin->needs(gout);
  cmd->callback([args] { run(*args); });
}

// ---- tnn methods ----
namespace {
const char* kBegin =
    "<!-- generated by `tnn methods --update-doc docs/ternarizers.md`: do not edit by hand -->\n";
const char* kEnd = "<!-- end of generated methods -->\n";
}  // namespace

void add_methods(CLI::App& app) {
  auto doc = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "methods",
      "list the ternarization methods, their parameters and training policies (Markdown)");
  cmd->add_option("--update-doc", *doc,
                  "rewrite the generated block of this Markdown file (docs/ternarizers.md)");
  cmd->callback([doc] {
    const std::string md = ternarizers_markdown();
    if (doc->empty()) {
      std::cout << md;
      return;
    }
    std::string text = read_file(*doc);
    const auto begin = text.find(kBegin), end = text.find(kEnd);
    if (begin == std::string::npos || end == std::string::npos || end < begin)
      throw std::invalid_argument(*doc + ": expected the markers '" + std::string(kBegin, 40) +
                                  "...' and '" + std::string(kEnd).substr(0, 30) +
                                  "...' around the generated block");
    const size_t from = begin + std::string(kBegin).size();
    write_file_atomic(*doc, text.substr(0, from) + "\n" + md + text.substr(end));
    std::cout << "updated the methods block of " << *doc << "\n";
  });
}

}  // namespace tnn::cli
