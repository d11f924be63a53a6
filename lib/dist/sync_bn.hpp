// Synchronised batch norm (opt-in, train.sync_batchnorm): batch statistics over the global batch.
#pragma once

#include "tnn/dist.hpp"

namespace tnn::dist {

// From now on the training-mode batch norms of `net` normalise with the mean and variance of the
// whole global batch (summed over ranks in a process group of their own, forward and backward,
// as PyTorch's SyncBatchNorm); evaluation mode and running statistics are as usual.
void install_sync_batchnorm(const std::shared_ptr<Context>& ctx, Network& net);

}  // namespace tnn::dist
