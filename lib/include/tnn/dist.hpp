// Data-parallel training, one process per device, on torch c10d (Gloo for CPU tensors, NCCL for
// CUDA ones): the launch contract (torchrun, Slurm's srun, `tnn run --nproc N`), the process group
// of a run with a liveness monitor, bucketed gradient averaging, synchronised batch norm, the
// distributed sampler and sharded evaluation. docs/distributed.md explains the whole.
#pragma once

#include "tnn/train.hpp"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace tnn::dist {

class Group;       // lib/dist/c10d.hpp: the only place that sees c10d types
class Rendezvous;  // ditto

// Who this process is in a data-parallel run.
struct LaunchInfo {
  int rank = 0, world = 1, local_rank = 0, local_world = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  std::string launcher = "none";  // torchrun | slurm | none
  // A process group is made for any torchrun launch (WORLD_SIZE=1 too: the GPU check's 1-rank
  // NCCL smoke run) and for srun steps of 2 tasks or more.
  bool active() const { return launcher != "none"; }
};

// torchrun's contract (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT;
// the last two may be left out for WORLD_SIZE=1) when WORLD_SIZE is set; else Slurm's inside an
// srun step (SLURM_PROCID, SLURM_STEP_NUM_TASKS or SLURM_NTASKS, SLURM_LOCALID, the first host of
// SLURM_JOB_NODELIST; MASTER_PORT or a port derived from the job id); else one process. Throws
// naming the variable that is missing or malformed.
LaunchInfo launch_from_environment();
// The first host of a Slurm hostlist: "node[07-09,12],gpu1" -> "node07".
std::string first_host(const std::string& slurm_nodelist);

// `tnn run ... --nproc N`: starts N copies of this command (`args`, without --nproc) as local
// ranks with torchrun's variables (MASTER_ADDR 127.0.0.1, a free port), each with `threads` CPU
// threads; waits for all of them. When one fails, the others are given `timeout_s` to notice it
// and exit, then stopped (SIGTERM, SIGKILL) by their PIDs. Returns 0 when every rank succeeded,
// else the first failing rank's exit status (128 + signal when killed).
int run_local_ranks(int nproc, const std::vector<std::string>& args, int threads, double timeout_s);

// The process group of this process (one per process, shared by every run it trains) and a
// monitor thread that keeps a heartbeat per rank in the store, so that a failed collective can
// name the rank that is gone, and that ends this process if a peer falls silent for longer than
// the timeout while nothing else noticed.
class Context {
 public:
  ~Context();
  int rank() const;
  int world() const;
  const LaunchInfo& launch() const { return launch_; }
  std::string backend() const;
  double timeout_seconds() const { return timeout_s_; }
  nlohmann::json peers() const { return peers_; }  // [{rank, host, pid}] in rank order

  // Element-wise sum over ranks.
  std::vector<double> sum(const std::vector<double>& mine);
  // Row r = rank r's values (an all-gather made of one sum).
  std::vector<std::vector<double>> gather(const std::vector<double>& mine);
  // True on every rank when `mine` is true on any.
  bool any(bool mine) { return sum({mine ? 1.0 : 0.0})[0] > 0; }
  // Rank 0's text, on every rank (through the store). Every rank calls it, in the same order.
  std::string from_rank0(const std::string& rank0_text);
  // Every rank's text, in rank order, on every rank (through the store). Same rules.
  std::vector<std::string> gather_text(const std::string& mine);
  // Throws CommError with `what` and the ranks that are gone (liveness monitor), for a
  // collective that failed.
  [[noreturn]] void fail(const std::string& what);

  // The process group for tensors on the CPU (Gloo, made at connect) or on CUDA devices (NCCL,
  // made on first use: every rank must ask at the same point).
  Group& group(bool cuda);
  // A new process group of its own (synchronised batch norm). Collective, like group(true).
  std::unique_ptr<Group> new_group(bool cuda);
  // Seconds spent in collectives (launch to completion, overlapping ones in full) and seconds
  // this rank's training thread was blocked waiting for them.
  double comm_seconds() const;
  double wait_seconds() const { return wait_s_; }
  void add_wait(double seconds) { wait_s_ += seconds; }

  struct Monitor;

 private:
  friend std::shared_ptr<Context> connect(const LaunchInfo& launch, double timeout_s);
  Context() = default;
  LaunchInfo launch_;
  double timeout_s_ = 600, wait_s_ = 0;
  int shared_ = 0, groups_ = 0;
  nlohmann::json peers_ = nlohmann::json::array();
  std::unique_ptr<Rendezvous> rendezvous_;
  std::unique_ptr<Group> cpu_group_, cuda_group_;
  std::unique_ptr<Monitor> monitor_;
};

// Rendezvous (TCPStore at launch.master_addr:master_port, hosted by rank 0) and the Gloo process
// group; every collective and store operation times out after timeout_s.
std::shared_ptr<Context> connect(const LaunchInfo& launch, double timeout_s);

// The data order of one epoch for one rank, with PyTorch DistributedSampler's semantics: one
// permutation per (seed, epoch), the same on every rank, padded with its head to a multiple of
// the world size; rank r takes positions r, r + world, ... The augmentation generator of rank 0
// continues the permutation's (so one process draws exactly what the single-process trainer
// always drew); other ranks get their own, seeded by (seed, epoch, rank).
struct EpochOrder {
  torch::Tensor indices;  // int64 [ceil(n / world)]
  torch::Generator augment;
};
EpochOrder epoch_order(int seed, int epoch, int64_t n, int world, int rank);

// Data parallelism for one model: broadcasts parameters and buffers from rank 0, and returns the
// GradientSync that train_step uses (gradients averaged in buckets while the backward pass
// runs, BN running statistics from rank 0 before each step as DDP's broadcast_buffers). With
// sync_batchnorm, the model's batch norms use statistics over the global batch instead.
std::shared_ptr<GradientSync> make_data_parallel(const std::shared_ptr<Context>& ctx, Network& net,
                                                 bool sync_batchnorm);

// Evaluation of a contiguous shard of the test set per rank, counts summed over ranks.
EvalResult evaluate_sharded(Context& ctx, Network& net, DataSource& data, int64_t batch_size);

}  // namespace tnn::dist
