// The distributed sampler (PyTorch DistributedSampler semantics, shuffle=True, drop_last=False).
#include "tnn/dist.hpp"

#include <ATen/CPUGeneratorImpl.h>

namespace tnn::dist {
namespace {
// The per-epoch generator: a pure function of (seed, epoch), so a resumed run draws the same.
// The single-process trainer has always used exactly this one.
torch::Generator epoch_generator(int seed, int epoch, uint64_t stream) {
  return at::detail::createCPUGenerator(uint64_t(seed) * 1000003ULL + uint64_t(epoch) + 1 +
                                        stream * 0x9E3779B97F4A7C15ULL);
}
}  // namespace

EpochOrder epoch_order(int seed, int epoch, int64_t n, int world, int rank) {
  auto gen = epoch_generator(seed, epoch, 0);
  auto perm = torch::randperm(n, gen, torch::kLong);
  const int64_t per_rank = (n + world - 1) / world, total = per_rank * world;
  if (total > n) perm = torch::cat({perm, perm.narrow(0, 0, total - n)});  // pad with the head
  auto mine = world == 1 ? perm : perm.slice(0, rank, total, world).contiguous();
  return {mine, rank == 0 ? gen : epoch_generator(seed, epoch, uint64_t(rank))};
}

}  // namespace tnn::dist
