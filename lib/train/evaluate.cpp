#include "tnn/train.hpp"

namespace tnn {

namespace {
// The test split of in-memory tensors, in order, without augmentation.
class TensorStream : public BatchStream {
 public:
  TensorStream(const torch::Tensor& images, const torch::Tensor& labels, int64_t batch,
               torch::Device device, bool channels_last)
      : images_(images), labels_(labels), batch_(batch), device_(device) {
    aug_.channels_last = channels_last;
  }
  bool next(Batch& b) override {
    const int64_t n = images_.size(0);
    if (start_ >= n) return false;
    const int64_t len = std::min(batch_, n - start_);
    auto idx = torch::arange(start_, start_ + len, torch::kLong);
    b.x = make_batch(images_, idx, aug_, nullptr, device_);
    b.y = labels_.narrow(0, start_, len).to(device_);
    start_ += len;
    return true;
  }

 private:
  torch::Tensor images_, labels_;
  int64_t batch_, start_ = 0;
  torch::Device device_;
  AugmentOptions aug_;
};
}  // namespace

EvalResult evaluate(Network& net, const torch::Tensor& images, const torch::Tensor& labels,
                    int64_t batch_size, torch::Device device, bool channels_last) {
  TensorStream s(images, labels, batch_size, device, channels_last);
  return evaluate(net, s);
}

EvalResult evaluate(Network& net, BatchStream& batches) {
  torch::NoGradGuard ng;
  bool was_training = net.is_training();
  net.eval();
  EvalResult r;
  int64_t n = 0;
  std::vector<torch::Tensor> preds;
  double loss_sum = 0;
  int64_t correct1 = 0, correct5 = 0;
  Batch b;
  while (batches.next(b)) {
    const auto& y = b.y;
    n += y.size(0);
    auto logits = net.forward(b.x);
    loss_sum += torch::cross_entropy_loss(logits, y, {}, at::Reduction::Sum).item<double>();
    auto top5 = std::get<1>(logits.topk(std::min<int64_t>(5, logits.size(1)), 1));
    auto hit = top5.eq(y.view({-1, 1}));
    correct1 += hit.select(1, 0).sum().item<int64_t>();
    correct5 += hit.any(1).sum().item<int64_t>();
    preds.push_back(top5.select(1, 0).to(torch::kCPU));
  }
  if (n == 0) throw std::runtime_error("evaluate: the test split yielded no images");
  r.images = n;
  r.top1 = 100.0 * double(correct1) / double(n);
  r.top5 = 100.0 * double(correct5) / double(n);
  r.loss = loss_sum / double(n);
  r.predictions = torch::cat(preds);
  if (was_training) net.train();
  return r;
}

}  // namespace tnn
