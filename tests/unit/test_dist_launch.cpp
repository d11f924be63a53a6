// The launch contracts (torchrun, srun) and the distributed sampler, without starting any rank.
#include <catch2/catch.hpp>

#include "tnn/dist.hpp"

#include <cstdlib>
#include <set>

using namespace tnn;
using Catch::Contains;

namespace {
// Sets the variables for one test and removes every launcher variable afterwards.
struct Env {
  explicit Env(std::initializer_list<std::pair<const char*, const char*>> vars) {
    clear();
    for (auto& [k, v] : vars) ::setenv(k, v, 1);
  }
  ~Env() { clear(); }
  static void clear() {
    for (const char* k :
         {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT",
          "SLURM_PROCID", "SLURM_NTASKS", "SLURM_STEP_NUM_TASKS", "SLURM_LOCALID",
          "SLURM_JOB_NODELIST", "SLURM_STEP_NODELIST", "SLURM_STEP_ID", "SLURM_JOB_ID",
          "SLURM_TASKS_PER_NODE", "SLURM_STEP_TASKS_PER_NODE"})
      ::unsetenv(k);
  }
};
}  // namespace

TEST_CASE("dist: Slurm hostlists: the first host", "[dist]") {
  CHECK(dist::first_host("node07") == "node07");
  CHECK(dist::first_host("node[07-09,12],gpu1") == "node07");
  CHECK(dist::first_host("gpu1,node[1-2]") == "gpu1");
  CHECK(dist::first_host("rack[2-3]-n[01-04]") ==
        "rack2-n[01-04]");  // only the first bracket is expanded
  CHECK_THROWS_WITH(dist::first_host("node[1-2"), Contains("unbalanced"));
}

TEST_CASE("dist: torchrun's and srun's environment contracts", "[dist]") {
  {
    Env e({});
    CHECK(!dist::launch_from_environment().active());
  }
  {
    Env e({{"RANK", "3"},
           {"WORLD_SIZE", "8"},
           {"LOCAL_RANK", "1"},
           {"LOCAL_WORLD_SIZE", "2"},
           {"MASTER_ADDR", "n1"},
           {"MASTER_PORT", "29511"}});
    auto l = dist::launch_from_environment();
    CHECK(l.launcher == "torchrun");
    CHECK(l.rank == 3);
    CHECK(l.world == 8);
    CHECK(l.local_rank == 1);
    CHECK(l.local_world == 2);
    CHECK(l.master_addr == "n1");
    CHECK(l.master_port == 29511);
  }
  {  // torchrun --nproc-per-node 1: a process group of one
    Env e({{"RANK", "0"}, {"WORLD_SIZE", "1"}});
    auto l = dist::launch_from_environment();
    CHECK(l.active());
    CHECK(l.world == 1);
    CHECK(l.master_addr == "127.0.0.1");
  }
  {
    Env e({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "29511"}});
    CHECK_THROWS_WITH(dist::launch_from_environment(), Contains("MASTER_ADDR"));
  }
  {
    Env e({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "x"}, {"MASTER_PORT", "1"}});
    CHECK_THROWS_WITH(dist::launch_from_environment(), Contains("not below the world size"));
  }
  {
    Env e({{"RANK", "x"}, {"WORLD_SIZE", "2"}});
    CHECK_THROWS_WITH(dist::launch_from_environment(), Contains("RANK='x'"));
  }
  {  // srun -N 2 --ntasks-per-node 4: task 5
    Env e({{"SLURM_PROCID", "5"},
           {"SLURM_STEP_ID", "0"},
           {"SLURM_STEP_NUM_TASKS", "8"},
           {"SLURM_NTASKS", "8"},
           {"SLURM_LOCALID", "1"},
           {"SLURM_STEP_TASKS_PER_NODE", "4(x2)"},
           {"SLURM_JOB_NODELIST", "gpu[03-04]"},
           {"SLURM_JOB_ID", "123456"}});
    auto l = dist::launch_from_environment();
    CHECK(l.launcher == "slurm");
    CHECK(l.rank == 5);
    CHECK(l.world == 8);
    CHECK(l.local_rank == 1);
    CHECK(l.local_world == 4);
    CHECK(l.master_addr == "gpu03");
    CHECK(l.master_port == 20000 + 123456 % 20000);
  }
  {  // the batch script itself (no step): not a rank, even with SLURM_NTASKS=2
    Env e({{"SLURM_PROCID", "0"},
           {"SLURM_NTASKS", "2"},
           {"SLURM_JOB_NODELIST", "n1"},
           {"SLURM_JOB_ID", "7"}});
    CHECK(!dist::launch_from_environment().active());
  }
  {  // a 1-task step: one process
    Env e({{"SLURM_PROCID", "0"}, {"SLURM_STEP_ID", "0"}, {"SLURM_STEP_NUM_TASKS", "1"}});
    CHECK(!dist::launch_from_environment().active());
  }
}

TEST_CASE("dist: the sampler has DistributedSampler's semantics", "[dist]") {
  const int64_t n = 10;
  auto one = dist::epoch_order(4, 2, n, 1, 0);
  REQUIRE(one.indices.size(0) == n);
  // Every rank sees the same permutation, padded with its head to 4 x 3 = 12, takes r, r+4, ...
  std::vector<int64_t> all;
  std::multiset<int64_t> seen;
  for (int r = 0; r < 4; ++r) {
    auto o = dist::epoch_order(4, 2, n, 4, r);
    REQUIRE(o.indices.size(0) == 3);
    for (int64_t i = 0; i < 3; ++i) {
      CHECK(o.indices[i].item<int64_t>() == (4 * i + r < n
                                                 ? one.indices[4 * i + r].item<int64_t>()
                                                 : one.indices[4 * i + r - n].item<int64_t>()));
      seen.insert(o.indices[i].item<int64_t>());
    }
  }
  for (int64_t i = 0; i < n; ++i) CHECK(seen.count(i) >= 1);
  CHECK(seen.size() == 12);
  // Another epoch, another permutation; rank 0 of one process draws what the trainer always drew.
  CHECK(!torch::equal(dist::epoch_order(4, 3, n, 1, 0).indices, one.indices));
  auto gen = at::detail::createCPUGenerator(uint64_t(4) * 1000003ULL + 2 + 1);
  CHECK(torch::equal(torch::randperm(n, gen, torch::kLong), one.indices));
  // The augmentation generators of two ranks differ.
  auto a = dist::epoch_order(4, 2, n, 2, 0), b = dist::epoch_order(4, 2, n, 2, 1);
  CHECK(torch::rand({4}, a.augment).sum().item<double>() !=
        torch::rand({4}, b.augment).sum().item<double>());
}

TEST_CASE("dist: shards of a given order (ImageNet) and of the test split", "[dist]") {
  const std::vector<int64_t> order = {7, 3, 9, 1, 5, 0, 8};  // 7 items over 3 ranks: 9 with padding
  CHECK(shard_order(order, {1, 0}) == order);
  CHECK(shard_order(order, {3, 0}) == std::vector<int64_t>{7, 1, 8});
  CHECK(shard_order(order, {3, 1}) == std::vector<int64_t>{3, 5, 7});  // padded with the head
  CHECK(shard_order(order, {3, 2}) == std::vector<int64_t>{9, 0, 3});
  // The test split: contiguous parts without padding, together each item once.
  int64_t next = 0;
  for (int r = 0; r < 3; ++r) {
    auto [begin, end] = test_shard_range(7, {3, r});
    CHECK(begin == next);
    next = end;
  }
  CHECK(next == 7);
  auto [b, e] = test_shard_range(1, {2, 0});  // more ranks than items: an empty part
  CHECK(b == e);
}
