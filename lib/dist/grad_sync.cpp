// Gradient averaging for data parallelism: buckets of gradients all-reduced asynchronously while
// the backward pass still runs, as PyTorch DDP does.
//
// Why not c10d::Reducer (DDP's own bucketing engine): its header includes
// torch/csrc/distributed/autograd/context/context.h, which Debian's libtorch-dev 1.13 does not
// ship (it compiles here only with a stand-in for a torch class), and its constructor changed
// several times across 2.x (per-bucket size limits dropped; skip_all_reduce_unused_params,
// use_python_reducer, bucket_bytes_cap_list added), which no GPU machine here can check. The
// collectives themselves stay c10d's: each bucket is one c10d allreduce.
//
// How: a hook on every parameter copies its gradient into its bucket's flat buffer when autograd
// produces it; a full bucket is divided by the world size and all-reduced at once, in bucket order
// (identical on every rank, so collectives pair up); after backward() returns we wait for the
// buckets and copy the means back into .grad. Buckets follow the reverse parameter order (about
// the order backward produces them), the first one 1 MiB, the others up to 25 MiB (DDP's
// defaults); DDP's re-bucketing by observed order after the first step is not done.
#include "c10d.hpp"
#include "sync_bn.hpp"
#include "tnn/dist.hpp"

#include <chrono>
#include <iostream>
#include <mutex>

namespace tnn::dist {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kFirstBucketBytes = 1 << 20, kBucketBytes = 25 << 20;

struct Bucket {
  torch::Tensor flat;
  std::vector<size_t> params;  // indices into BucketedAllReduce::params_
  std::vector<torch::Tensor> views;
  size_t ready = 0;
  Pending work;
};

class BucketedAllReduce : public GradientSync {
 public:
  BucketedAllReduce(std::shared_ptr<Context> ctx, Network& net) : ctx_(std::move(ctx)), net_(net) {
    for (auto& p : net.parameters())
      if (p.requires_grad()) params_.push_back(p);
    for (auto& b : net.buffers())
      if (b.is_floating_point()) buffers_.push_back(b);
    slot_.resize(params_.size());
    // Buckets over the parameters in reverse order.
    int64_t bytes = 0;
    for (size_t k = params_.size(); k-- > 0;) {
      const auto& p = params_[k];
      const int64_t cap = buckets_.size() <= 1 ? kFirstBucketBytes : kBucketBytes;
      if (buckets_.empty() || bytes >= cap ||
          p.scalar_type() != buckets_.back().flat.scalar_type()) {
        buckets_.emplace_back();
        buckets_.back().flat = torch::empty({0}, p.options());
        bytes = 0;
      }
      buckets_.back().params.push_back(k);
      slot_[k] = {buckets_.size() - 1, buckets_.back().params.size() - 1};
      bytes += p.numel() * int64_t(p.element_size());
    }
    for (auto& b : buckets_) {
      int64_t n = 0;
      for (size_t k : b.params) n += params_[k].numel();
      b.flat = torch::zeros({n}, params_[b.params[0]].options().requires_grad(false));
      int64_t off = 0;
      for (size_t k : b.params) {
        b.views.push_back(b.flat.narrow(0, off, params_[k].numel()).view(params_[k].sizes()));
        off += params_[k].numel();
      }
    }
    for (size_t k = 0; k < params_.size(); ++k)
      hooks_.push_back(
          params_[k].register_hook([this, k](torch::Tensor grad) { on_grad(k, grad); }));
  }

  ~BucketedAllReduce() override {
    for (size_t k = 0; k < params_.size(); ++k) params_[k].remove_hook(hooks_[k]);
  }

  // Rank 0's parameters and buffers to every rank (the start of training, as DDP's constructor).
  void broadcast_all() {
    std::vector<torch::Tensor> all = params_;
    all.insert(all.end(), buffers_.begin(), buffers_.end());
    for (auto& b : net_.buffers())
      if (!b.is_floating_point()) all.push_back(b);  // num_batches_tracked
    broadcast(all);
  }

  void before_forward() override { broadcast(buffers_); }

  void before_backward() override {
    std::lock_guard<std::mutex> lock(m_);
    armed_ = true;
    next_ = 0;
    for (auto& b : buckets_) b.ready = 0;
  }

  void after_backward() override {
    const auto t0 = Clock::now();
    {
      std::lock_guard<std::mutex> lock(m_);
      armed_ = false;
      // Parameters that got no gradient this time still take part (as zeros), so that every rank
      // issues the same collectives.
      for (size_t i = next_; i < buckets_.size(); ++i)
        if (buckets_[i].ready < buckets_[i].params.size()) {
          warn_unused(i);
          buckets_[i].ready = buckets_[i].params.size();
        }
      launch_ready();
    }
    try {
      for (auto& b : buckets_) b.work.wait();
    } catch (const CommError& e) {
      ctx_->fail(e.what());
    }
    torch::NoGradGuard ng;
    for (auto& b : buckets_)
      for (size_t i = 0; i < b.params.size(); ++i) {
        auto& p = params_[b.params[i]];
        if (p.grad().defined())
          p.mutable_grad().copy_(b.views[i]);
        else
          p.mutable_grad() = b.views[i].clone(p.suggest_memory_format());
      }
    ctx_->add_wait(std::chrono::duration<double>(Clock::now() - t0).count());
  }

  void average_now(torch::optim::Optimizer& opt) override {
    std::vector<torch::Tensor> grads;
    for (auto& g : opt.param_groups())
      for (auto& p : g.params())
        grads.push_back(p.grad().defined() ? p.grad() : torch::zeros_like(p));
    if (grads.empty()) return;
    std::vector<torch::Tensor> flat_parts;
    for (auto& g : grads) flat_parts.push_back(g.reshape({-1}));
    auto flat = torch::cat(flat_parts).div_(double(ctx_->world()));
    const auto t0 = Clock::now();
    try {
      group().allreduce_sum(flat);
    } catch (const CommError& e) {
      ctx_->fail(e.what());
    }
    ctx_->add_wait(std::chrono::duration<double>(Clock::now() - t0).count());
    torch::NoGradGuard ng;
    int64_t off = 0;
    for (auto& g : opt.param_groups())
      for (auto& p : g.params()) {
        auto mean = flat.narrow(0, off, p.numel()).view(p.sizes());
        off += p.numel();
        if (p.grad().defined())
          p.mutable_grad().copy_(mean);
        else
          p.mutable_grad() = mean.clone();
      }
  }

 private:
  void on_grad(size_t k, const torch::Tensor& grad) {
    std::lock_guard<std::mutex> lock(m_);
    if (!armed_) return;  // a backward pass this sync does not reduce (TGA's threshold pass)
    auto [bucket, index] = slot_[k];
    auto& b = buckets_[bucket];
    {
      torch::NoGradGuard ng;
      b.views[index].copy_(grad);
    }
    if (++b.ready == b.params.size()) launch_ready();
  }

  // Buckets start strictly in order, as soon as they and all before them are full.
  void launch_ready() {
    while (next_ < buckets_.size() && buckets_[next_].ready == buckets_[next_].params.size()) {
      auto& b = buckets_[next_++];
      torch::NoGradGuard ng;
      b.flat.div_(double(ctx_->world()));
      try {
        b.work = group().allreduce_sum_async(b.flat);
      } catch (const CommError& e) {
        b.work = Pending([msg = std::string(e.what())] { throw CommError(msg); });
      }
    }
  }

  void warn_unused(size_t bucket) {
    if (warned_) return;
    warned_ = true;
    std::cerr << "tnn: rank " << ctx_->rank()
              << ": some parameters got no gradient in a data-parallel step (bucket " << bucket
              << "); they are averaged as zeros\n";
    torch::NoGradGuard ng;
    for (size_t i = 0; i < buckets_[bucket].params.size(); ++i) buckets_[bucket].views[i].zero_();
  }

  void broadcast(std::vector<torch::Tensor>& ts) {
    if (ts.empty()) return;
    std::vector<torch::Tensor> parts;
    for (auto& t : ts) parts.push_back(t.detach().to(torch::kDouble).reshape({-1}));
    auto flat = torch::cat(parts);
    const auto t0 = Clock::now();
    try {
      group().broadcast(flat, 0);
    } catch (const CommError& e) {
      ctx_->fail(e.what());
    }
    ctx_->add_wait(std::chrono::duration<double>(Clock::now() - t0).count());
    torch::NoGradGuard ng;
    int64_t off = 0;
    for (auto& t : ts) {
      t.copy_(flat.narrow(0, off, t.numel()).view(t.sizes()));
      off += t.numel();
    }
  }

  Group& group() { return ctx_->group(params_.at(0).is_cuda()); }

  std::shared_ptr<Context> ctx_;
  Network& net_;
  std::vector<torch::Tensor> params_, buffers_;
  std::vector<std::pair<size_t, size_t>> slot_;  // parameter -> (bucket, index in bucket)
  std::vector<Bucket> buckets_;
  std::vector<unsigned> hooks_;
  std::mutex m_;
  bool armed_ = false, warned_ = false;
  size_t next_ = 0;
};

}  // namespace

std::shared_ptr<GradientSync> make_data_parallel(const std::shared_ptr<Context>& ctx, Network& net,
                                                 bool sync_batchnorm) {
  auto sync = std::make_shared<BucketedAllReduce>(ctx, net);
  sync->broadcast_all();
  if (sync_batchnorm) install_sync_batchnorm(ctx, net);
  return sync;
}

}  // namespace tnn::dist
