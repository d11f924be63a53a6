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

}  // namespace tnn
