// The launch contracts (torchrun, srun) and `tnn run --nproc N`, which plays torchrun --standalone.
#include "tnn/dist.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace tnn::dist {
namespace {

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}

int env_int(const char* name, int fallback, bool required) {
  const char* v = env(name);
  if (v == nullptr) {
    if (required)
      throw std::invalid_argument(std::string("environment: ") + name +
                                  " is not set (needed with the others of its launcher)");
    return fallback;
  }
  char* end = nullptr;
  long x = std::strtol(v, &end, 10);
  if (end == v || *end != '\0' || x < 0)
    throw std::invalid_argument(std::string("environment: ") + name + "='" + v +
                                "' is not a non-negative integer");
  return int(x);
}

void check(const LaunchInfo& l, const std::string& from) {
  if (l.world < 1 || l.rank >= l.world)
    throw std::invalid_argument(from + ": rank " + std::to_string(l.rank) +
                                " is not below the world size " + std::to_string(l.world));
  if (l.local_rank >= l.local_world)
    throw std::invalid_argument(from + ": local rank " + std::to_string(l.local_rank) +
                                " is not below the local world size " +
                                std::to_string(l.local_world));
  if (l.master_port < 1 || l.master_port > 65535)
    throw std::invalid_argument(from + ": MASTER_PORT " + std::to_string(l.master_port) +
                                " is not a port");
}

// A port nobody listens on right now (the kernel's pick); the ranks bind it moments later.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("--nproc: cannot find a free TCP port on 127.0.0.1");
  }
  int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status))
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  return "exit status " + std::to_string(WEXITSTATUS(status));
}

// A signal sent to the launcher (SIGTERM from a scheduler, SIGUSR1 asking for a checkpoint) is
// passed on to every rank.
volatile std::sig_atomic_t pending_signal = 0;
extern "C" void remember_signal(int sig) {
  pending_signal = sig;
}

}  // namespace

std::string first_host(const std::string& list) {
  // Up to the first comma outside brackets; "prefix[a-b,c]suffix" -> prefix + a + suffix.
  int depth = 0;
  size_t end = 0;
  for (; end < list.size(); ++end) {
    if (list[end] == '[') ++depth;
    if (list[end] == ']') --depth;
    if (list[end] == ',' && depth == 0) break;
  }
  std::string first = list.substr(0, end);
  auto open = first.find('[');
  if (open == std::string::npos) return first;
  auto close = first.find(']', open);
  if (close == std::string::npos)
    throw std::invalid_argument("SLURM_JOB_NODELIST: unbalanced '[' in '" + list + "'");
  std::string range = first.substr(open + 1, close - open - 1);
  range = range.substr(0, range.find_first_of(",-"));
  return first.substr(0, open) + range + first.substr(close + 1);
}

LaunchInfo launch_from_environment() {
  LaunchInfo l;
  if (env("WORLD_SIZE") != nullptr) {
    l.launcher = "torchrun";
    l.world = env_int("WORLD_SIZE", 1, true);
    l.rank = env_int("RANK", 0, true);
    l.local_rank = env_int("LOCAL_RANK", l.rank, false);
    l.local_world = env_int("LOCAL_WORLD_SIZE", std::max(l.world, l.local_rank + 1), false);
    const char* addr = env("MASTER_ADDR");
    if (addr == nullptr && l.world > 1)
      throw std::invalid_argument(
          "environment: MASTER_ADDR is not set (needed with WORLD_SIZE > 1)");
    if (addr != nullptr) l.master_addr = addr;
    l.master_port = env_int("MASTER_PORT", l.master_port, l.world > 1);
    check(l, "torchrun environment");
    return l;
  }
  // Inside an srun step (SLURM_STEP_ID is set there, not in the batch script itself).
  if (env("SLURM_PROCID") != nullptr && env("SLURM_STEP_ID") != nullptr) {
    const int tasks = env("SLURM_STEP_NUM_TASKS") ? env_int("SLURM_STEP_NUM_TASKS", 1, true)
                                                  : env_int("SLURM_NTASKS", 1, true);
    if (tasks <= 1) return l;
    l.launcher = "slurm";
    l.world = tasks;
    l.rank = env_int("SLURM_PROCID", 0, true);
    l.local_rank = env_int("SLURM_LOCALID", 0, true);
    // Tasks on this node: SLURM_STEP_TASKS_PER_NODE / SLURM_TASKS_PER_NODE look like "4(x2),3";
    // the local world size is only used for device and thread placement, so the first count does.
    const char* per_node = env("SLURM_STEP_TASKS_PER_NODE") ? env("SLURM_STEP_TASKS_PER_NODE")
                                                            : env("SLURM_TASKS_PER_NODE");
    l.local_world = per_node ? std::max(std::atoi(per_node), l.local_rank + 1) : l.local_rank + 1;
    if (const char* addr = env("MASTER_ADDR")) {
      l.master_addr = addr;
    } else {
      const char* nodes =
          env("SLURM_STEP_NODELIST") ? env("SLURM_STEP_NODELIST") : env("SLURM_JOB_NODELIST");
      if (nodes == nullptr)
        throw std::invalid_argument(
            "environment: SLURM_JOB_NODELIST is not set (srun sets it; or set MASTER_ADDR)");
      l.master_addr = first_host(nodes);
    }
    // A port per job, so that two jobs sharing a node do not collide.
    l.master_port = env("MASTER_PORT") ? env_int("MASTER_PORT", 0, true)
                                       : 20000 + env_int("SLURM_JOB_ID", 0, true) % 20000;
    check(l, "Slurm environment");
  }
  return l;
}

int run_local_ranks(int nproc, const std::vector<std::string>& args, int threads,
                    double timeout_s) {
  if (nproc < 1)
    throw std::invalid_argument("--nproc: expected >= 1, got " + std::to_string(nproc));
  const std::string port = std::to_string(free_port());
  std::vector<std::string> base_env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    std::string key = kv.substr(0, kv.find('='));
    for (const char* drop : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR",
                             "MASTER_PORT", "OMP_NUM_THREADS"})
      if (key == drop) key.clear();
    if (!key.empty()) base_env.push_back(kv);
  }
  std::map<pid_t, int> rank_of;
  std::vector<pid_t> pids(size_t(nproc), 0);
  for (int r = 0; r < nproc; ++r) {
    std::vector<std::string> e = base_env;
    for (std::string kv :
         {"RANK=" + std::to_string(r), "LOCAL_RANK=" + std::to_string(r),
          "WORLD_SIZE=" + std::to_string(nproc), "LOCAL_WORLD_SIZE=" + std::to_string(nproc),
          std::string("MASTER_ADDR=127.0.0.1"), "MASTER_PORT=" + port,
          "OMP_NUM_THREADS=" + std::to_string(threads)})
      e.push_back(kv);
    std::vector<std::string> a = args;
    std::vector<char*> argv, envp;
    for (auto& s : a) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (auto& s : e) envp.push_back(s.data());
    envp.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), envp.data()) != 0) {
      for (pid_t p : pids)
        if (p > 0) ::kill(p, SIGTERM);
      throw std::runtime_error("--nproc: cannot start " + args[0]);
    }
    pids[size_t(r)] = pid;
    rank_of[pid] = r;
  }
  std::cerr << "tnn run: started " << nproc << " ranks on 127.0.0.1:" << port << " (" << threads
            << " thread(s) each), pids";
  for (pid_t p : pids) std::cerr << " " << p;
  std::cerr << "\n";

  for (int sig : {SIGTERM, SIGINT, SIGUSR1}) std::signal(sig, remember_signal);
  int first_status = 0, first_rank = -1, left = nproc;
  auto deadline = std::chrono::steady_clock::time_point::max();
  bool terminated = false, killed = false;
  while (left > 0) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid < 0) break;
    if (const int sig = pending_signal; sig != 0) {
      pending_signal = 0;
      for (auto& [p, r] : rank_of) ::kill(p, sig);
    }
    if (pid == 0) {
      const auto now = std::chrono::steady_clock::now();
      if (!terminated && now > deadline) {  // the others did not notice the failure in time
        std::cerr << "tnn run: ranks still running " << timeout_s << " s after rank " << first_rank
                  << " failed: SIGTERM\n";
        for (auto& [p, r] : rank_of) ::kill(p, SIGTERM);
        terminated = true;
        deadline = now + std::chrono::seconds(10);
      } else if (terminated && !killed && now > deadline) {
        for (auto& [p, r] : rank_of) ::kill(p, SIGKILL);
        killed = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    auto it = rank_of.find(pid);
    if (it == rank_of.end()) continue;
    const int r = it->second;
    rank_of.erase(it);
    --left;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok) {
      std::cerr << "tnn run: rank " << r << " (pid " << pid << ") " << describe_status(status)
                << "\n";
      if (first_rank < 0) {
        first_rank = r;
        first_status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        deadline = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(int64_t(timeout_s * 1000) + 5000);
      }
    }
  }
  if (first_rank >= 0) std::cerr << "tnn run: failed (first failure: rank " << first_rank << ")\n";
  return first_rank >= 0 ? first_status : 0;
}

}  // namespace tnn::dist
