// Every c10d call of the project. The subset used here (TCPStore, PrefixStore, ProcessGroupGloo
// and ProcessGroupNCCL constructors and options, allreduce / broadcast / barrier, Work::wait,
// Work::getFuture) is the same in LibTorch 1.13 and 2.x except for one name: 2.x split the
// process group into ProcessGroup (a dispatcher) and Backend (Gloo, NCCL); we hold the Gloo/NCCL
// object itself, which is a ProcessGroup in 1.13 and a Backend in 2.x.
// Built with TNN_HAVE_C10D only where lib/CMakeLists.txt found the headers (and, for 2.x, saw
// this file compile); elsewhere connect() says that this build has no c10d.
#include "c10d.hpp"

#include <torch/version.h>

#include <chrono>
#include <cstdlib>

#ifdef TNN_HAVE_C10D
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef TNN_HAVE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#endif

namespace tnn::dist {

bool have_c10d() {
#ifdef TNN_HAVE_C10D
  return true;
#else
  return false;
#endif
}

bool have_nccl() {
#ifdef TNN_HAVE_NCCL
  return true;
#else
  return false;
#endif
}

void Pending::wait() {
  if (wait_) wait_();
}

namespace {

[[maybe_unused]] std::string message_of(const std::exception& e) {
  if (auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  return e.what();
}

}  // namespace

#ifdef TNN_HAVE_C10D

#if TORCH_VERSION_MAJOR >= 2
using Collective = c10d::Backend;  // 2.x: Gloo and NCCL are Backends of a ProcessGroup
#else
using Collective = c10d::ProcessGroup;  // 1.13: they are ProcessGroups themselves
#endif

struct Store::Impl {
  c10::intrusive_ptr<c10d::Store> store;
};

struct Group::Impl {
  c10::intrusive_ptr<Collective> pg;
};

struct Rendezvous::Impl {
  c10::intrusive_ptr<c10d::Store> store;
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

void Store::set(const std::string& key, const std::string& value) {
  try {
    impl_->store->set(key, std::vector<uint8_t>(value.begin(), value.end()));
  } catch (const std::exception& e) {
    throw CommError("store set '" + key + "': " + message_of(e));
  }
}

std::string Store::get(const std::string& key) {
  try {
    auto v = impl_->store->get(key);
    return std::string(v.begin(), v.end());
  } catch (const std::exception& e) {
    throw CommError("store get '" + key + "': " + message_of(e));
  }
}

int64_t Store::add(const std::string& key, int64_t delta) {
  try {
    return impl_->store->add(key, delta);
  } catch (const std::exception& e) {
    throw CommError("store add '" + key + "': " + message_of(e));
  }
}

namespace {

c10::intrusive_ptr<c10d::Store> tcp_store(const GroupOptions& o, bool server, bool count_in) {
  c10d::TCPStoreOptions so;
  so.port = static_cast<std::uint16_t>(o.master_port);
  so.isServer = server;
  if (count_in) so.numWorkers = static_cast<std::size_t>(o.world);
  so.waitWorkers = count_in;
  so.timeout = o.timeout;
  return c10::make_intrusive<c10d::TCPStore>(o.master_addr, so);
}

bool loopback(const std::string& addr) {
  return addr == "localhost" || addr.rfind("127.", 0) == 0;
}

c10::intrusive_ptr<Collective> make_collective(const GroupOptions& o,
                                               const c10::intrusive_ptr<c10d::Store>& store,
                                               bool cuda) {
  if (cuda) {
#ifdef TNN_HAVE_NCCL
    auto opts = c10d::ProcessGroupNCCL::Options::create();
    opts->timeout = o.timeout;
    return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, o.rank, o.world, opts);
#else
    throw CommError("CUDA tensors need NCCL, and this LibTorch build has no ProcessGroupNCCL");
#endif
  }
  auto opts = c10d::ProcessGroupGloo::Options::create(o.timeout);
  // Gloo binds to one interface: GLOO_SOCKET_IFNAME as in PyTorch, loopback for a single-host
  // run, else the address this host's name resolves to.
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname != nullptr && *ifname != '\0')
    opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
  else if (loopback(o.master_addr))
    opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
  else
    opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, o.rank, o.world, opts);
}

std::string seconds(std::chrono::milliseconds t) {
  return std::to_string(t.count() / 1000) + " s";
}

}  // namespace

Rendezvous::Rendezvous(GroupOptions o, std::unique_ptr<Impl> impl)
    : o_(std::move(o)), impl_(std::move(impl)) {
  store_.reset(new Store(std::make_unique<Store::Impl>(Store::Impl{impl_->store})));
}
Rendezvous::~Rendezvous() = default;

std::unique_ptr<Rendezvous> Rendezvous::connect(const GroupOptions& o) {
  auto impl = std::make_unique<Impl>();
  try {
    impl->store = tcp_store(o, o.rank == 0, true);
  } catch (const std::exception& e) {
    throw CommError(
        "rank " + std::to_string(o.rank) + " of " + std::to_string(o.world) + ": rendezvous at " +
        o.master_addr + ":" + std::to_string(o.master_port) + " failed within " +
        seconds(o.timeout) + " (" + message_of(e) +
        "); are all ranks started, with the same MASTER_ADDR/MASTER_PORT, and is the port free?");
  }
  return std::unique_ptr<Rendezvous>(new Rendezvous(o, std::move(impl)));
}

std::unique_ptr<Store> Rendezvous::store_client() {
  try {
    return std::unique_ptr<Store>(
        new Store(std::make_unique<Store::Impl>(Store::Impl{tcp_store(o_, false, false)})));
  } catch (const std::exception& e) {
    throw CommError("rank " + std::to_string(o_.rank) +
                    ": second store connection failed: " + message_of(e));
  }
}

std::unique_ptr<Group> Rendezvous::group(const std::string& name, bool cuda) {
  auto impl = std::make_unique<Group::Impl>();
  try {
    impl->pg =
        make_collective(o_, c10::make_intrusive<c10d::PrefixStore>(name, impl_->store), cuda);
  } catch (const CommError&) {
    throw;
  } catch (const std::exception& e) {
    throw CommError("rank " + std::to_string(o_.rank) + ": creating the " +
                    (cuda ? "NCCL" : "Gloo") + " process group '" + name + "' failed within " +
                    seconds(o_.timeout) + ": " + message_of(e));
  }
  return std::unique_ptr<Group>(new Group(std::move(impl)));
}

Group::Group(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Group::~Group() = default;

std::string Group::backend() const {
  return impl_->pg->getBackendName();
}

Pending Group::allreduce_sum_async(at::Tensor t) {
  std::vector<at::Tensor> v{std::move(t)};
  const auto t0 = std::chrono::steady_clock::now();
  c10::intrusive_ptr<c10d::Work> work;
  try {
    work = impl_->pg->allreduce(v);
  } catch (const std::exception& e) {
    throw CommError("allreduce: " + message_of(e));
  }
  auto counter = comm_ns_;
  work->getFuture()->addCallback([counter, t0](c10::ivalue::Future&) {
    *counter +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count();
  });
  return Pending([work, v] {
    try {
      work->wait();
    } catch (const std::exception& e) {
      throw CommError("allreduce: " + message_of(e));
    }
  });
}

void Group::broadcast(at::Tensor t, int root) {
  std::vector<at::Tensor> v{std::move(t)};
  c10d::BroadcastOptions opts;
  opts.rootRank = root;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    impl_->pg->broadcast(v, opts)->wait();
  } catch (const std::exception& e) {
    throw CommError("broadcast from rank " + std::to_string(root) + ": " + message_of(e));
  }
  *comm_ns_ +=
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
          .count();
}

void Group::barrier() {
  try {
    impl_->pg->barrier()->wait();
  } catch (const std::exception& e) {
    throw CommError("barrier: " + message_of(e));
  }
}

#else  // no c10d in this build

struct Store::Impl {};
struct Group::Impl {};
struct Rendezvous::Impl {};
Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;
Group::Group(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Group::~Group() = default;
Rendezvous::Rendezvous(GroupOptions o, std::unique_ptr<Impl> impl)
    : o_(std::move(o)), impl_(std::move(impl)) {}
Rendezvous::~Rendezvous() = default;

namespace {
[[noreturn]] void no_c10d() {
  throw CommError(
      "this build has no torch c10d (distributed training): LibTorch " TORCH_VERSION
      " was found without the c10d/Gloo headers, or lib/dist/c10d.cpp did not compile against "
      "them (see the CMake configure output and docs/distributed.md)");
}
}  // namespace

void Store::set(const std::string&, const std::string&) {
  no_c10d();
}
std::string Store::get(const std::string&) {
  no_c10d();
}
int64_t Store::add(const std::string&, int64_t) {
  no_c10d();
}
std::unique_ptr<Rendezvous> Rendezvous::connect(const GroupOptions&) {
  no_c10d();
}
std::unique_ptr<Store> Rendezvous::store_client() {
  no_c10d();
}
std::unique_ptr<Group> Rendezvous::group(const std::string&, bool) {
  no_c10d();
}
std::string Group::backend() const {
  no_c10d();
}
Pending Group::allreduce_sum_async(at::Tensor) {
  no_c10d();
}
void Group::broadcast(at::Tensor, int) {
  no_c10d();
}
void Group::barrier() {
  no_c10d();
}

#endif

}  // namespace tnn::dist
