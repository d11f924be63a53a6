// Synchronised batch norm as an autograd function with an explicit backward (PyTorch's
// SyncBatchNorm math). Forward: per-channel sum and sum of squares (accumulated in double) summed
// over ranks, then the usual normalisation. Backward: the sums of dy and dy * (x - mean) over ranks
// give dx for the global batch; the gradients of gamma and beta stay local, as the data-parallel
// gradient averaging then takes their mean like any other parameter's.
#include "sync_bn.hpp"

#include "c10d.hpp"

namespace tnn::dist {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

const std::vector<int64_t> kDims = {0, 2, 3};
torch::Tensor per_channel(const torch::Tensor& t) {
  return t.view({1, -1, 1, 1});
}

void sum_over_ranks(Group& g, torch::Tensor& t) {
  try {
    g.allreduce_sum(t);
  } catch (const CommError& e) {
    throw CommError(std::string("synchronised batch norm: ") + e.what());
  }
}

struct SyncBatchNormFn : public torch::autograd::Function<SyncBatchNormFn> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias,
                               torch::Tensor running_mean, torch::Tensor running_var,
                               double momentum, double eps, Group* group) {
    const int64_t c = x.size(1);
    auto stats = torch::cat(
        {x.sum(kDims, false, torch::kDouble), (x * x).sum(kDims, false, torch::kDouble),
         torch::full({1}, double(x.numel() / c), torch::dtype(torch::kDouble).device(x.device()))});
    sum_over_ranks(*group, stats);
    const double n = stats[2 * c].item<double>();
    auto mean = stats.narrow(0, 0, c) / n;
    auto var = stats.narrow(0, c, c) / n - mean * mean;  // biased, as used for normalising
    auto invstd = (var + eps).rsqrt();
    running_mean.mul_(1 - momentum).add_(mean.to(running_mean.scalar_type()), momentum);
    running_var.mul_(1 - momentum)
        .add_((var * (n / std::max(n - 1, 1.0))).to(running_var.scalar_type()), momentum);
    auto mean_f = mean.to(x.scalar_type()), invstd_f = invstd.to(x.scalar_type());
    ctx->save_for_backward({x, weight, mean_f, invstd_f});
    ctx->saved_data["group"] = int64_t(reinterpret_cast<intptr_t>(group));  // outlives the step
    ctx->saved_data["n"] = n;
    return (x - per_channel(mean_f)) * per_channel(invstd_f * weight) + per_channel(bias);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_out) {
    auto saved = ctx->get_saved_variables();
    auto &x = saved[0], &weight = saved[1], &mean = saved[2], &invstd = saved[3];
    auto* group = reinterpret_cast<Group*>(intptr_t(ctx->saved_data["group"].toInt()));
    const double n = ctx->saved_data["n"].toDouble();
    auto dy = grad_out[0];
    auto xmu = x - per_channel(mean);
    auto sum_dy = dy.sum(kDims), sum_dy_xmu = (dy * xmu).sum(kDims);
    auto grad_weight = sum_dy_xmu * invstd, grad_bias = sum_dy;  // this rank's
    auto sums = torch::cat({sum_dy, sum_dy_xmu});
    sum_over_ranks(*group, sums);
    const int64_t c = x.size(1);
    auto mean_dy = sums.narrow(0, 0, c) / n, mean_dy_xmu = sums.narrow(0, c, c) / n;
    auto dx = (dy - per_channel(mean_dy) - xmu * per_channel(invstd * invstd * mean_dy_xmu)) *
              per_channel(invstd * weight);
    return {dx,
            grad_weight,
            grad_bias,
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor()};
  }
};

}  // namespace

void install_sync_batchnorm(const std::shared_ptr<Context>& ctx, Network& net) {
  if (!net.routes_batch_norm())
    throw std::runtime_error("train.sync_batchnorm: model.arch " + net.config().arch +
                             " applies its batch norms itself (a Sequential, BatchNorm1d), so " +
                             "they cannot be synchronised; set train.sync_batchnorm to false");
  // Its own process group: these collectives run inside the backward pass, interleaved with the
  // gradient buckets' all-reduces of the main group.
  bool cuda = false;
  for (auto& p : net.parameters()) cuda = p.is_cuda();
  std::shared_ptr<Group> group = ctx->new_group(cuda);
  net.set_batch_norm(
      [group](torch::nn::BatchNorm2dImpl& bn, const torch::Tensor& x) -> torch::Tensor {
        if (!bn.is_training()) return bn.forward(x);
        TORCH_CHECK(bn.options.affine() && bn.options.track_running_stats(),
                    "synchronised batch norm: expects affine BN with running statistics");
        {
          torch::NoGradGuard ng;
          bn.num_batches_tracked += 1;
        }
        return SyncBatchNormFn::apply(x, bn.weight, bn.bias, bn.running_mean, bn.running_var,
                                      bn.options.momentum().value_or(0.1), bn.options.eps(),
                                      group.get());
      });
}

}  // namespace tnn::dist
