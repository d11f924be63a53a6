// The run-folder lock: one holder at a time, a clear message naming it, a stale lock taken over.
#include <catch2/catch.hpp>

#include "../temp_dir.hpp"
#include "tnn/fileio.hpp"
#include "tnn/run_lock.hpp"

#include <nlohmann/json.hpp>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

extern char** environ;

using namespace tnn;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {
pid_t spawn(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  REQUIRE(posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) == 0);
  return pid;
}
}  // namespace

TEST_CASE("run lock: a second holder is refused with the first one's pid and host", "[runlock]") {
  auto dir = test::fresh_temp_dir("runlock");
  {
    RunLock first(dir.string());
    CHECK(first.taken_over_from().empty());
    CHECK(fs::exists(dir / "run.lock"));
    auto content = nlohmann::json::parse(read_file((dir / "run.lock").string()));
    CHECK(content["pid"] == long(::getpid()));
    // A second lock, even from the same process, is refused and names the holder.
    CHECK_THROWS_WITH(
        RunLock(dir.string()),
        Contains("in use by pid " + std::to_string(::getpid())) && Contains("run.lock"));
  }
  CHECK(!fs::exists(dir / "run.lock"));  // released: removed
  RunLock again(dir.string());
  CHECK(again.taken_over_from().empty());
}

TEST_CASE("run lock: a lock left by a killed process is taken over", "[runlock]") {
  auto dir = test::fresh_temp_dir("runlock-stale");
  const auto path = (dir / "run.lock").string(), marker = (dir / "locked").string();
  // The holder: a shell that opens the lock file, flock()s it and becomes `sleep` (same pid, same
  // open file), as a tnn process would hold it; then its text is written as tnn writes it.
  pid_t holder =
      spawn({"sh", "-c",
             "exec 9>>'" + path + "'; flock -n 9 && touch '" + marker + "' && exec sleep 60"});
  for (int i = 0; i < 500 && !fs::exists(marker); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(fs::exists(marker));
  std::ofstream(path) << nlohmann::json{
      {"host", "h"},
      {"pid", long(holder)},
      {"started", "t"},
      {"command", "c"}}.dump();
  CHECK_THROWS_WITH(RunLock(dir.string()), Contains("in use by pid " + std::to_string(holder)));
  ::kill(holder, SIGKILL);
  ::waitpid(holder, nullptr, 0);
  RunLock lock(dir.string());
  CHECK_THAT(lock.taken_over_from(),
             Contains("pid " + std::to_string(holder)) && Contains("no longer holds it"));
  CHECK(nlohmann::json::parse(read_file(path))["pid"] == long(::getpid()));
}
