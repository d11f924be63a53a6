// Data-parallel training on 2 ranks (Gloo, this machine): the same weights as one process that
// accumulates gradients over the two halves of the global batch; a rank killed with SIGKILL
// stops the other with a message naming it, and the run resumes to the result of an
// uninterrupted one. The ranks are real processes (tnn run --nproc 2, or srun's variables).
#include <catch2/catch.hpp>

#include "test_helpers_data.hpp"
#include "tnn/dist.hpp"
#include "tnn/experiment.hpp"
#include "tnn/fileio.hpp"
#include "tnn/runner.hpp"
#include "tnn/train.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

extern char** environ;

using namespace tnn;
using Catch::Contains;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

const int kSeed = 5;

// Starts the tnn CLI with `args`, extra environment variables, stdout+stderr into `log`.
pid_t spawn_tnn(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
                const fs::path& log) {
  std::vector<std::string> a = {TNN_CLI};
  a.insert(a.end(), args.begin(), args.end());
  std::vector<std::string> e;
  for (char** p = environ; *p != nullptr; ++p) e.emplace_back(*p);
  e.insert(e.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> argv, envp;
  for (auto& s : a) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : e) envp.push_back(s.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  REQUIRE(rc == 0);
  return pid;
}

// Exit status (128 + signal when killed), or -1 when it is still running after `seconds`.
int wait_for(pid_t pid, double seconds) {
  const auto end = Clock::now() + std::chrono::milliseconds(int64_t(seconds * 1000));
  while (Clock::now() < end) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

// Runs the CLI to completion (at most `seconds`); stops it by its pid if it overruns.
int run_tnn(const std::vector<std::string>& args, const fs::path& log, double seconds = 300) {
  pid_t pid = spawn_tnn(args, {}, log);
  int rc = wait_for(pid, seconds);
  if (rc < 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  if (rc != 0) WARN(read_file(log.string()));
  return rc;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::vector<std::string> run_args(const std::string& id, const fs::path& out,
                                  const std::vector<std::string>& sets) {
  std::vector<std::string> a = {"--threads",      "1",          "run",    test::experiment_file(id),
                                "--profile",      "smoke",      "--seed", std::to_string(kSeed),
                                "--out",          out.string(), "--data", test::data_dir(),
                                "--dist-timeout", "20"};
  // Gloo on the CPU even where LibTorch has CUDA: the checks are bit-exact CPU replays.
  a.insert(a.end(), {"--set", "train.device=cpu"});
  for (const auto& s : sets) {
    a.push_back("--set");
    a.push_back(s);
  }
  return a;
}

// `tnn run --nproc 2` of experiment ID (smoke profile, seed kSeed): STEPS steps of PER_RANK images
// on each rank, plus EXTRA settings; and what a 1-process reference needs to replay its batches.
struct TwoRankRun {
  fs::path dir;  // the run folder
  nlohmann::json cfg;
  Dataset data;
  AugmentOptions aug;
  int per_rank = 0;

  // Each rank's sample order and augmentation stream for epoch 0, as the sampler makes them.
  std::vector<dist::EpochOrder> orders() const {
    std::vector<dist::EpochOrder> order;
    for (int r = 0; r < 2; ++r)
      order.push_back(dist::epoch_order(kSeed, 0, data.train_images.size(0), 2, r));
    return order;
  }
  // Step s's two halves of the global batch, (images, labels) per rank, drawn from `order`.
  std::vector<std::pair<torch::Tensor, torch::Tensor>> halves(
      int s, std::vector<dist::EpochOrder>& order) const {
    std::vector<std::pair<torch::Tensor, torch::Tensor>> h;
    for (int r = 0; r < 2; ++r) {
      auto idx = order[size_t(r)].indices.narrow(0, s * per_rank, per_rank);
      h.emplace_back(
          make_batch(data.train_images, idx, aug, &order[size_t(r)].augment, torch::kCPU),
          data.train_labels.index_select(0, idx));
    }
    return h;
  }
};

TwoRankRun run_two_ranks(const std::string& id, const std::string& tag, int per_rank, int steps,
                         const std::vector<std::string>& extra = {}) {
  std::vector<std::string> sets = {"train.batch_size=" + std::to_string(2 * per_rank),
                                   "data.train_limit=" + std::to_string(2 * per_rank * steps),
                                   "data.test_limit=64", "train.epochs=1"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  auto out = test::fresh_temp_dir(tag);
  auto args = run_args(id, out, sets);
  args.insert(args.end(), {"--nproc", "2"});
  REQUIRE(run_tnn(args, out / "tnn.log") == 0);
  TwoRankRun run;
  run.dir = run_dir(out.string(), id, "smoke", kSeed);
  nlohmann::json overrides = nlohmann::json::object();
  for (const auto& s : sets)
    overrides[s.substr(0, s.find('='))] = nlohmann::json::parse(s.substr(s.find('=') + 1));
  run.cfg = resolve_config(load_experiment(test::experiment_file(id)), "smoke", overrides);
  run.data =
      load_cifar10(test::data_dir(), run.cfg["data"]["train_limit"], run.cfg["data"]["test_limit"]);
  run.aug.channels_last = run.cfg["model"]["channels_last"];
  run.aug.crop = run.aug.flip = run.cfg["data"]["augment"].get<bool>();
  run.per_rank = per_rank;
  return run;
}

std::shared_ptr<Network> load_model(const fs::path& checkpoint) {
  auto cfg = checkpoint_config(checkpoint.string())["config"];
  auto net = make_model(model_config_of(cfg));
  load_checkpoint(checkpoint.string(), *net, nullptr, nullptr, nullptr);
  return net;
}

// Largest |a - b| over all parameters and buffers.
double max_difference(Network& a, Network& b) {
  double worst = 0;
  auto pb = b.named_parameters(), bb = b.named_buffers();
  for (const auto& p : a.named_parameters())
    worst = std::max(worst, (p.value() - pb[p.key()]).abs().max().item<double>());
  for (const auto& x : a.named_buffers())
    worst = std::max(
        worst,
        (x.value().to(torch::kDouble) - bb[x.key()].to(torch::kDouble)).abs().max().item<double>());
  return worst;
}

// One step of the 1-process reference: the two ranks' halves of the global batch, gradients
// accumulated and averaged, exactly as train_step's passes. BatchNorm running statistics end as
// rank 0's (the data-parallel run broadcasts rank 0's before every step): rank 1's half runs
// first and its statistics updates are undone.
void reference_step(Trainable& t,
                    const std::vector<std::pair<torch::Tensor, torch::Tensor>>& halves) {
  auto buffers = t.net->buffers();
  auto pass = [&](torch::optim::Optimizer& opt) {
    std::vector<torch::Tensor> saved;
    for (auto& b : buffers) saved.push_back(b.clone());
    tnn::zero_grad_in_place(opt);
    for (int r : {1, 0}) {
      auto loss = torch::cross_entropy_loss(t.net->forward(halves[size_t(r)].first),
                                            halves[size_t(r)].second);
      loss.backward();
      if (r == 1) {
        torch::NoGradGuard ng;
        for (size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(saved[i]);
      }
    }
    torch::NoGradGuard ng;
    for (auto& g : opt.param_groups())
      for (auto& p : g.params())
        if (p.grad().defined()) p.mutable_grad().div_(2.0);
  };
  if (t.two_pass) {
    for (auto& p : t.model_params) p.requires_grad_(false);
    pass(*t.threshold_opt);
    for (auto& p : t.model_params) p.requires_grad_(true);
    t.threshold_opt->step();
    pass(*t.opt);
    t.opt->step();
    return;
  }
  REQUIRE(t.threshold_opt == nullptr);  // joint updates of two optimizers: not needed here
  pass(*t.opt);
  t.opt->step();
}

}  // namespace

TEST_CASE("dist: 2 ranks x batch B equal 1 process accumulating the two halves of batch 2B",
          "[dist]") {
  torch::set_num_threads(1);  // as each rank
  const int per_rank = 32, steps = 3;
  for (std::string id : {"cifar10/resnet20-wacv19", "cifar10/resnet20-tga"}) {
    INFO(id);
    auto run = run_two_ranks(id, "dist-eq", per_rank, steps);
    auto res = nlohmann::json::parse(read_file((run.dir / "result.json").string()));
    CHECK(res["distributed"]["world_size"] == 2);
    CHECK(res["distributed"]["backend"] == "gloo");
    CHECK(res["distributed"]["ranks"].size() == 2);
    CHECK(res["history"][0]["train_images"] == 2 * per_rank * steps);
    auto dp = load_model(run.dir / "checkpoints/final.pt");

    // The reference, from the same config, seed and data order.
    auto t = make_trainable(run.cfg, kSeed, torch::kCPU);
    auto order = run.orders();
    for (int s = 0; s < steps; ++s) {
      set_step_lr(t, scheduled_lr(run.cfg["train"]["schedule"], t.lr, 0, s, steps, 1));
      reference_step(t, run.halves(s, order));
    }
    const double diff = max_difference(*t.net, *dp);
    std::cout << "dist equivalence " << id << ": 2 ranks x " << per_rank
              << " vs 1 process accumulating 2 x " << per_rank << ", " << steps
              << " steps: max |difference| over weights and buffers = " << diff << "\n";
    CHECK(diff < 1e-4);
    // And it moved: the comparison is not between two untrained models.
    auto init = make_trainable(run.cfg, kSeed, torch::kCPU);
    CHECK(max_difference(*init.net, *dp) > 1e-3);
  }
}

TEST_CASE("dist: synchronised batch norm on 2 ranks x B equals plain batch norm on 1 process x 2B",
          "[dist]") {
  torch::set_num_threads(1);
  const int per_rank = 32, steps = 1;
  auto run = run_two_ranks("cifar10/resnet20-fp", "dist-syncbn", per_rank, steps,
                           {"train.sync_batchnorm=true"});
  CHECK(nlohmann::json::parse(read_file(
            (run.dir / "result.json").string()))["distributed"]["sync_batchnorm"] == true);
  auto dp = load_model(run.dir / "checkpoints/final.pt");

  // Two references from the same batches: one process with the global batch of 2B (what
  // synchronised BN computes), and one accumulating the two halves (per-rank BN statistics).
  auto t = make_trainable(run.cfg, kSeed, torch::kCPU);
  auto local = make_trainable(run.cfg, kSeed, torch::kCPU);
  for (auto* ref : {&t, &local}) {
    auto order = run.orders();
    for (int s = 0; s < steps; ++s) {
      set_step_lr(*ref, scheduled_lr(run.cfg["train"]["schedule"], ref->lr, 0, s, steps, 1));
      auto halves = run.halves(s, order);
      if (ref == &local) {
        reference_step(local, halves);
      } else {
        train_step(t,
                   torch::cat({halves[0].first, halves[1].first})
                       .contiguous(at::MemoryFormat::ChannelsLast),
                   torch::cat({halves[0].second, halves[1].second}));
      }
    }
  }
  // Float rounding differs between the two batch norms (1e-6 relative) and flips the odd ReLU
  // whose input lies that close to 0: after one step the weights agree to ~5e-4, not bit for bit
  // (and ten times less well after each further step). Per-rank statistics are far further away.
  const double diff = max_difference(*t.net, *dp), per_rank_bn = max_difference(*local.net, *dp);
  std::cout << "dist sync BN: 2 ranks x " << per_rank << " vs 1 process x " << 2 * per_rank << ", "
            << steps << " step(s): max |difference| = " << diff
            << " (vs per-rank BN statistics: " << per_rank_bn << ")\n";
  CHECK(diff < 2e-3);
  CHECK(diff < 0.1 * per_rank_bn);
}

TEST_CASE(
    "dist: a rank killed with SIGKILL stops the other, which names it, and the run resumes to the "
    "same "
    "result",
    "[dist][fault]") {
  const std::string id = "cifar10/resnet20-wacv19";
  const std::vector<std::string> sets = {"train.batch_size=64", "data.train_limit=128",
                                         "data.test_limit=64", "train.epochs=3"};
  auto out = test::fresh_temp_dir("dist-fault");
  const fs::path dir = run_dir((out / "a").string(), id, "smoke", kSeed);
  // The two ranks with srun's variables, as Slurm starts them.
  const std::string port = std::to_string(free_port());
  std::vector<pid_t> ranks;
  for (int r = 0; r < 2; ++r)
    ranks.push_back(
        spawn_tnn(run_args(id, out / "a", sets),
                  {"SLURM_PROCID=" + std::to_string(r), "SLURM_LOCALID=" + std::to_string(r),
                   "SLURM_STEP_ID=0", "SLURM_STEP_NUM_TASKS=2", "SLURM_JOB_NODELIST=localhost",
                   "SLURM_JOB_ID=1", "MASTER_PORT=" + port},
                  out / ("rank" + std::to_string(r) + ".log")));
  // Wait for the end of epoch 1 (its checkpoint is written before the log line).
  bool epoch1 = false;
  for (auto end = Clock::now() + std::chrono::seconds(120); !epoch1 && Clock::now() < end;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream log(dir / "log.jsonl");
    for (std::string line; std::getline(log, line);)
      epoch1 |= line.find("\"event\":\"epoch\"") != std::string::npos;
  }
  if (!epoch1) {
    for (pid_t p : ranks) ::kill(p, SIGKILL);
    for (pid_t p : ranks) ::waitpid(p, nullptr, 0);
    FAIL("no epoch finished within 120 s:\n" << read_file((out / "rank0.log").string()));
  }
  ::kill(ranks[1], SIGKILL);
  const auto killed = Clock::now();
  CHECK(wait_for(ranks[1], 10) == 128 + SIGKILL);
  const int rc = wait_for(ranks[0], 40);
  const double seconds = std::chrono::duration<double>(Clock::now() - killed).count();
  if (rc < 0) {
    ::kill(ranks[0], SIGKILL);
    ::waitpid(ranks[0], nullptr, 0);
  }
  const std::string log0 = read_file((out / "rank0.log").string());
  INFO(log0);
  std::cout << "dist fault: rank 0 exited with status " << rc << " " << seconds
            << " s after rank 1 was killed; its message:\n"
            << log0.substr(log0.rfind("tnn: error")) << "\n";
  CHECK(rc == 1);
  CHECK(seconds < 20);  // within --dist-timeout
  CHECK_THAT(log0, Contains("rank 1 (pid " + std::to_string(ranks[1])) && Contains("is gone"));
  CHECK(fs::exists(dir / "checkpoints/last.pt"));
  CHECK(!fs::exists(dir / "checkpoints/final.pt"));

  // One process does not resume a 2-rank checkpoint, and says how to.
  REQUIRE(run_tnn(run_args(id, out / "a", sets), out / "one.log") != 0);
  CHECK_THAT(read_file((out / "one.log").string()),
             Contains("written by a run of 2 data-parallel rank(s); this one has 1") &&
                 Contains("Resume it with 2"));

  // Resume (2 ranks, tnn run --nproc 2) and an uninterrupted run: the same weights and history.
  auto resume = run_args(id, out / "a", sets), straight = run_args(id, out / "b", sets);
  for (auto* a : {&resume, &straight}) a->insert(a->end(), {"--nproc", "2"});
  REQUIRE(run_tnn(resume, out / "resume.log") == 0);
  REQUIRE(run_tnn(straight, out / "straight.log") == 0);
  auto ra = nlohmann::json::parse(read_file((dir / "result.json").string()));
  auto rb = nlohmann::json::parse(read_file(
      (fs::path(run_dir((out / "b").string(), id, "smoke", kSeed)) / "result.json").string()));
  REQUIRE(ra["status"] == "finished");
  CHECK(ra["segments"].size() == 2);
  for (int e = 0; e < 3; ++e) CHECK(ra["history"][e]["test_top1"] == rb["history"][e]["test_top1"]);
  auto na = load_model(dir / "checkpoints/final.pt");
  auto nb = load_model(fs::path(run_dir((out / "b").string(), id, "smoke", kSeed)) /
                       "checkpoints/final.pt");
  CHECK(max_difference(*na, *nb) == 0.0);
}

TEST_CASE("dist: SIGUSR1 to tnn run --nproc 2 checkpoints mid-epoch and the same command continues",
          "[dist]") {
  const std::string id = "cifar10/resnet20-fp";
  // One epoch of 4 steps, a log line per step: the signal lands after the first.
  const std::vector<std::string> sets = {"train.batch_size=64", "data.train_limit=256",
                                         "data.test_limit=64", "train.epochs=1",
                                         "train.log_every=1"};
  auto out = test::fresh_temp_dir("dist-signal");
  auto two = run_args(id, out, sets);
  two.insert(two.end(), {"--nproc", "2"});
  const fs::path dir = run_dir(out.string(), id, "smoke", kSeed);
  pid_t launcher = spawn_tnn(two, {}, out / "two.log");
  bool stepped = false;
  for (auto end = Clock::now() + std::chrono::seconds(120); !stepped && Clock::now() < end;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::ifstream log(dir / "log.jsonl");
    for (std::string line; std::getline(log, line);)
      stepped |= line.find("\"event\":\"step\"") != std::string::npos;
  }
  ::kill(launcher, SIGUSR1);
  const int rc = wait_for(launcher, 60);
  INFO(read_file((out / "two.log").string()));
  REQUIRE((rc == 75 || rc == 0));  // 0: it finished before the signal landed
  if (rc == 0) {
    WARN("the run finished before SIGUSR1 arrived: the mid-epoch checkpoint was not exercised");
    return;
  }
  auto res = nlohmann::json::parse(read_file((dir / "result.json").string()));
  CHECK(res["status"] == "interrupted");
  REQUIRE(run_tnn(two, out / "again.log") == 0);
  res = nlohmann::json::parse(read_file((dir / "result.json").string()));
  CHECK(res["status"] == "finished");
  CHECK(res["history"][0]["train_images"] == 256);  // every image once, over both segments
  CHECK_THAT(read_file((out / "again.log").string()), Contains("resuming after epoch 0, step "));
}
