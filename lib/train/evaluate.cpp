#include "tnn/train.hpp"

namespace tnn {

EvalResult evaluate(Network& net, const torch::Tensor& images, const torch::Tensor& labels,
                    int64_t batch_size, torch::Device device, bool channels_last) {
  torch::NoGradGuard ng;
  bool was_training = net.is_training();
  net.eval();
  EvalResult r;
  const int64_t n = images.size(0);
  AugmentOptions no_aug;
  no_aug.channels_last = channels_last;
  std::vector<torch::Tensor> preds;
  double loss_sum = 0;
  int64_t correct1 = 0, correct5 = 0;
  for (int64_t start = 0; start < n; start += batch_size) {
    int64_t len = std::min(batch_size, n - start);
    auto idx = torch::arange(start, start + len, torch::kLong);
    auto x = make_batch(images, idx, no_aug, nullptr, device);
    auto y = labels.narrow(0, start, len).to(device);
    auto logits = net.forward(x);
    loss_sum += torch::cross_entropy_loss(logits, y, {}, at::Reduction::Sum).item<double>();
    auto top5 = std::get<1>(logits.topk(std::min<int64_t>(5, logits.size(1)), 1));
    auto hit = top5.eq(y.view({-1, 1}));
    correct1 += hit.select(1, 0).sum().item<int64_t>();
    correct5 += hit.any(1).sum().item<int64_t>();
    preds.push_back(top5.select(1, 0).to(torch::kCPU));
  }
  r.images = n;
  r.top1 = 100.0 * double(correct1) / double(n);
  r.top5 = 100.0 * double(correct5) / double(n);
  r.loss = loss_sum / double(n);
  r.predictions = torch::cat(preds);
  if (was_training) net.train();
  return r;
}

nlohmann::json sparsity_report(Network& net) {
  torch::NoGradGuard ng;
  nlohmann::json layers = nlohmann::json::array();
  double mac_zero = 0, mac_total = 0, w_zero = 0, w_total = 0;
  for (auto& l : net.quant_layers()) {
    nlohmann::json j;
    j["name"] = l.name;
    j["method"] = l.quantizer->method();
    j["weights"] = l.weight.numel();
    j["macs_per_image"] = l.macs_per_image;
    if (l.quantizer->terms() == 0) {
      j["zero_fraction"] = nullptr;  // full-precision layer
      layers.push_back(j);
      continue;
    }
    auto terms = l.quantizer->decompose(l.weight);
    j["zero_fraction"] = terms[0].zero_fraction();
    nlohmann::json per_term = nlohmann::json::array();
    for (const auto& t : terms) per_term.push_back(t.zero_fraction());
    j["zero_fraction_per_term"] = per_term;
    // The first term's threshold, as the half-width of its zero band (TGA: the clipped delta;
    // a per-channel method: the mean over channels), and relative to the layer's weight spread.
    const auto& t0 = terms[0];
    if (t0.threshold_lo.defined() && t0.threshold_hi.defined()) {
      double half_width = ((t0.threshold_hi - t0.threshold_lo) * 0.5).mean().item<double>();
      double sigma = l.weight.numel() > 1 ? l.weight.std().item<double>() : 0.0;
      j["threshold"] = half_width;
      j["weight_std"] = sigma;
      j["threshold_over_std"] = sigma > 0 ? nlohmann::json(half_width / sigma) : nlohmann::json(nullptr);
    }
    mac_zero += terms[0].zero_fraction() * double(l.macs_per_image);
    mac_total += double(l.macs_per_image);
    w_zero += terms[0].zero_fraction() * double(l.weight.numel());
    w_total += double(l.weight.numel());
    layers.push_back(j);
  }
  nlohmann::json r;
  r["layers"] = layers;
  // Over ternarized layers only; term 1 (the first threshold), as the authors' sparsity tool.
  r["mac_weighted_zero_fraction"] = mac_total > 0 ? nlohmann::json(mac_zero / mac_total) : nlohmann::json(nullptr);
  r["weight_weighted_zero_fraction"] = w_total > 0 ? nlohmann::json(w_zero / w_total) : nlohmann::json(nullptr);
  return r;
}

}  // namespace tnn
