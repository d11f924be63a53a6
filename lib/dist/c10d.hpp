// The one place that talks to torch's c10d (lib/dist/c10d.cpp): a TCPStore rendezvous and
// process groups over it (ProcessGroupGloo for CPU tensors, ProcessGroupNCCL for CUDA ones). The
// rest of lib/dist sees only these classes, so the LibTorch 1.13 / 2.x differences of c10d's C++
// API stay in one file (docs/distributed.md says what is checked on which version).
#pragma once

#include <ATen/ATen.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace tnn::dist {

// A collective or store operation failed (a peer died, timed out, or the store is gone).
struct CommError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// True when this build has c10d (Gloo; NCCL in CUDA builds): see lib/dist/CMakeLists.txt.
bool have_c10d();
bool have_nccl();

// A key-value store client (TCPStore). Rank 0 hosts the server.
class Store {
 public:
  ~Store();
  void set(const std::string& key, const std::string& value);
  std::string get(const std::string& key);  // waits for the key (store timeout)
  int64_t add(const std::string& key, int64_t delta);
  struct Impl;

 private:
  friend class Rendezvous;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// An in-flight collective: wait() blocks until it is done and throws CommError on failure.
class Pending {
 public:
  Pending() = default;
  explicit Pending(std::function<void()> wait) : wait_(std::move(wait)) {}
  void wait();
  bool valid() const { return static_cast<bool>(wait_); }

 private:
  std::function<void()> wait_;
};

struct GroupOptions {
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  int rank = 0, world = 1;
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
};

// A process group (Gloo or NCCL). Collectives work on one tensor, in place; all ranks must issue
// a group's collectives in the same order. Every one of them times out after the group timeout.
class Group {
 public:
  ~Group();
  std::string backend() const;
  Pending allreduce_sum_async(at::Tensor t);
  void allreduce_sum(at::Tensor t) { allreduce_sum_async(std::move(t)).wait(); }
  void broadcast(at::Tensor t, int root);
  void barrier();
  // Sum over all collectives of this group of (completion - launch), seconds. Collectives that
  // overlap computation count in full.
  double comm_seconds() const { return double(comm_ns_->load()) * 1e-9; }

  struct Impl;

 private:
  friend class Rendezvous;
  explicit Group(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  // Shared with the completion callbacks, which may run after the group is gone.
  std::shared_ptr<std::atomic<int64_t>> comm_ns_ = std::make_shared<std::atomic<int64_t>>(0);
};

// The TCPStore of a run (rank 0 hosts it) and the process groups built on it.
class Rendezvous {
 public:
  // Waits (up to the timeout) until all ranks have connected; throws naming the address and rank.
  static std::unique_ptr<Rendezvous> connect(const GroupOptions& o);
  ~Rendezvous();
  const GroupOptions& options() const { return o_; }
  Store& store() { return *store_; }
  // A second connection to the store, for a thread of its own (the liveness monitor).
  std::unique_ptr<Store> store_client();
  // A new process group over all ranks, its keys under `name` in the store: NCCL for CUDA
  // tensors (CUDA builds of LibTorch only), else Gloo. Collective: every rank must call it.
  std::unique_ptr<Group> group(const std::string& name, bool cuda);

  struct Impl;

 private:
  Rendezvous(GroupOptions o, std::unique_ptr<Impl> impl);
  GroupOptions o_;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<Store> store_;
};

}  // namespace tnn::dist
