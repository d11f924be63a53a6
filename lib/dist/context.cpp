// The process group of a data-parallel run and its liveness monitor.
//
// Gloo reports a dead peer as a broken connection ("Connection closed by peer"), which names an
// address, not a rank, and NCCL reports nothing until its timeout. So every rank publishes
// (host, pid) at start and a heartbeat counter every second in the store; when a collective fails,
// fail() names the ranks that are gone: a same-host peer whose pid no longer exists, a peer whose
// heartbeat stopped, or rank 0 when its store no longer answers. The monitor thread also ends this
// process if a peer stays silent for longer than the timeout, so no rank waits forever on a
// collective that the backend would not time out.
#include "c10d.hpp"
#include "tnn/dist.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

namespace tnn::dist {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kBeat = std::chrono::seconds(1);

std::string host_name() {
  char buf[256] = {};
  return ::gethostname(buf, sizeof buf - 1) == 0 ? std::string(buf) : "unknown";
}

std::string describe(const nlohmann::json& peer) {
  return "rank " + std::to_string(peer["rank"].get<int>()) + " (pid " +
         std::to_string(peer["pid"].get<long>()) + " on host " + peer["host"].get<std::string>() +
         ")";
}

}  // namespace

struct Context::Monitor {
  std::unique_ptr<Store> store;
  int rank = 0, world = 1;
  double timeout_s = 600;
  nlohmann::json peers;
  std::mutex m;
  std::condition_variable cv;
  bool stop = false;
  bool store_gone = false;  // rank 0's store stopped answering
  std::vector<int64_t> beats;
  std::vector<Clock::time_point> last_change;
  std::thread thread;

  void run() {
    std::unique_lock<std::mutex> lock(m);
    while (!stop) {
      lock.unlock();
      bool ok = true;
      std::vector<int64_t> now_beats(size_t(world), 0);
      try {
        store->add("hb/" + std::to_string(rank), 1);
        for (int r = 0; r < world; ++r)
          now_beats[size_t(r)] = store->add("hb/" + std::to_string(r), 0);
      } catch (const CommError&) {
        ok = false;
      }
      lock.lock();
      const auto now = Clock::now();
      if (!ok) {
        store_gone = true;  // no beats can be read: every peer's last_change stands still
      } else {
        for (int r = 0; r < world; ++r)
          if (now_beats[size_t(r)] != beats[size_t(r)]) {
            beats[size_t(r)] = now_beats[size_t(r)];
            last_change[size_t(r)] = now;
          }
      }
      // Last resort against a hang: a peer silent for longer than the timeout.
      for (int r = 0; r < world; ++r) {
        const double silent = std::chrono::duration<double>(now - last_change[size_t(r)]).count();
        if (r != rank && silent > timeout_s + 5) {
          std::fprintf(
              stderr,
              "tnn: rank %d: %s has been silent for %.0f s (timeout %.0f s): stopping this rank\n",
              rank, describe(peers[size_t(r)]).c_str(), silent, timeout_s);
          std::fflush(stderr);
          std::_Exit(1);
        }
      }
      cv.wait_for(lock, kBeat, [this] { return stop; });
    }
  }

  // Ranks that look gone: a same-host pid that does not exist, rank 0 when its store is gone, or
  // a heartbeat that has not moved for `grace`.
  std::vector<int> gone(std::chrono::milliseconds grace) {
    std::lock_guard<std::mutex> lock(m);
    std::vector<int> out;
    const auto now = Clock::now();
    const std::string here = host_name();
    for (int r = 0; r < world; ++r) {
      if (r == rank) continue;
      const auto& p = peers[size_t(r)];
      const bool pid_gone =
          p["host"] == here && ::kill(pid_t(p["pid"].get<long>()), 0) != 0 && errno == ESRCH;
      const bool silent = now - last_change[size_t(r)] > grace;
      if (pid_gone || silent || (r == 0 && store_gone)) out.push_back(r);
    }
    return out;
  }
};

std::shared_ptr<Context> connect(const LaunchInfo& launch, double timeout_s) {
  std::shared_ptr<Context> ctx(new Context());
  ctx->launch_ = launch;
  ctx->timeout_s_ = timeout_s;
  GroupOptions o;
  o.master_addr = launch.master_addr;
  o.master_port = launch.master_port;
  o.rank = launch.rank;
  o.world = launch.world;
  o.timeout = std::chrono::milliseconds(int64_t(timeout_s * 1000));
  ctx->rendezvous_ = Rendezvous::connect(o);
  ctx->cpu_group_ = ctx->rendezvous_->group("gloo", false);
  // Who is who, for messages.
  auto& store = ctx->rendezvous_->store();
  store.set("peer/" + std::to_string(launch.rank),
            nlohmann::json{{"rank", launch.rank}, {"host", host_name()}, {"pid", long(::getpid())}}
                .dump());
  for (int r = 0; r < launch.world; ++r)
    ctx->peers_.push_back(nlohmann::json::parse(store.get("peer/" + std::to_string(r))));

  auto mon = std::make_unique<Context::Monitor>();
  mon->store = ctx->rendezvous_->store_client();
  mon->rank = launch.rank;
  mon->world = launch.world;
  mon->timeout_s = timeout_s;
  mon->peers = ctx->peers_;
  mon->beats.assign(size_t(launch.world), -1);
  mon->last_change.assign(size_t(launch.world), Clock::now());
  mon->thread = std::thread([m = mon.get()] { m->run(); });
  ctx->monitor_ = std::move(mon);
  return ctx;
}

Context::~Context() {
  if (monitor_) {
    {
      std::lock_guard<std::mutex> lock(monitor_->m);
      monitor_->stop = true;
    }
    monitor_->cv.notify_all();
    monitor_->thread.join();
  }
}

int Context::rank() const {
  return launch_.rank;
}
int Context::world() const {
  return launch_.world;
}
std::string Context::backend() const {
  return cuda_group_ ? cuda_group_->backend() : cpu_group_->backend();
}

double Context::comm_seconds() const {
  return cpu_group_->comm_seconds() + (cuda_group_ ? cuda_group_->comm_seconds() : 0.0);
}

Group& Context::group(bool cuda) {
  if (!cuda) return *cpu_group_;
  if (!cuda_group_) {
    try {
      cuda_group_ = rendezvous_->group("nccl", true);
    } catch (const CommError& e) {
      fail(e.what());
    }
  }
  return *cuda_group_;
}

std::unique_ptr<Group> Context::new_group(bool cuda) {
  try {
    return rendezvous_->group("group" + std::to_string(++groups_), cuda);
  } catch (const CommError& e) {
    fail(e.what());
  }
}

void Context::fail(const std::string& what) {
  // A peer that died a moment ago still has a recent heartbeat: give the monitor three beats.
  std::vector<int> gone;
  for (int i = 0; i < 30 && gone.empty(); ++i) {
    gone = monitor_->gone(3 * kBeat);
    if (gone.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string who;
  for (int r : gone) {
    who += (who.empty() ? "" : ", ") + describe(peers_[size_t(r)]);
    if (r == 0 && launch_.rank != 0) who += " [its store no longer answers]";
  }
  const std::string head =
      "rank " + std::to_string(launch_.rank) + " of " + std::to_string(launch_.world) + ": ";
  if (who.empty()) throw CommError(head + what + " (every other rank still sends heartbeats)");
  throw CommError(head + who + (gone.size() == 1 ? " is" : " are") +
                  " gone; stopping this rank too (" + what + ")");
}

std::vector<double> Context::sum(const std::vector<double>& mine) {
  auto t = torch::tensor(mine, torch::kDouble);
  const auto t0 = Clock::now();
  try {
    cpu_group_->allreduce_sum(t);
  } catch (const CommError& e) {
    fail(e.what());
  }
  wait_s_ += std::chrono::duration<double>(Clock::now() - t0).count();
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

std::vector<std::vector<double>> Context::gather(const std::vector<double>& mine) {
  const size_t k = mine.size();
  std::vector<double> all(k * size_t(world()), 0.0);
  std::copy(mine.begin(), mine.end(), all.begin() + std::ptrdiff_t(k * size_t(rank())));
  all = sum(all);
  std::vector<std::vector<double>> rows;
  for (int r = 0; r < world(); ++r)
    rows.emplace_back(all.begin() + std::ptrdiff_t(k * size_t(r)),
                      all.begin() + std::ptrdiff_t(k * size_t(r + 1)));
  return rows;
}

std::string Context::from_rank0(const std::string& rank0_text) {
  const std::string key = "share/" + std::to_string(++shared_);
  try {
    if (rank() == 0) {
      rendezvous_->store().set(key, rank0_text);
      return rank0_text;
    }
    return rendezvous_->store().get(key);
  } catch (const CommError& e) {
    fail(e.what());
  }
}

std::vector<std::string> Context::gather_text(const std::string& mine) {
  const std::string key = "text/" + std::to_string(++shared_) + "/";
  std::vector<std::string> all;
  try {
    rendezvous_->store().set(key + std::to_string(rank()), mine);
    for (int r = 0; r < world(); ++r)
      all.push_back(rendezvous_->store().get(key + std::to_string(r)));
  } catch (const CommError& e) {
    fail(e.what());
  }
  return all;
}

EvalResult evaluate_sharded(Context& ctx, Network& net, DataSource& data, int64_t batch_size) {
  const Shard shard{ctx.world(), ctx.rank()};
  const auto [begin, end] = test_shard_range(data.test_size(), shard);
  EvalResult mine;
  double count1 = 0, count5 = 0, loss_sum = 0, len = 0;
  if (end > begin) {  // more ranks than test images: this one only adds zeros
    mine = evaluate(net, *data.test_batches(batch_size, shard));
    len = double(mine.images);  // fewer than end - begin when files were unreadable
    // evaluate() returns percentages and a mean: back to counts and sums (exact after rounding).
    count1 = std::round(mine.top1 * len / 100.0);
    count5 = std::round(mine.top5 * len / 100.0);
    loss_sum = mine.loss * len;
  }
  auto s = ctx.sum({count1, count5, loss_sum, len});
  if (s[3] == 0) throw std::runtime_error("evaluate: the test split yielded no images on any rank");
  EvalResult out;
  out.images = int64_t(s[3]);
  out.top1 = 100.0 * s[0] / s[3];
  out.top5 = 100.0 * s[1] / s[3];
  out.loss = s[2] / s[3];
  out.predictions = mine.predictions;  // this rank's shard only
  return out;
}

}  // namespace tnn::dist
