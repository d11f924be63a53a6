// One run folder, one writer: an advisory lock file <run folder>/run.lock that names its holder
// (host, pid, start time, command). A second process refuses with a message naming the holder; a
// lock left behind by a process that is gone is taken over. What it guarantees on shared
// filesystems is in docs/distributed.md ("Run-folder lock").
#pragma once

#include <string>

namespace tnn {

class RunLock {
 public:
  // Takes <dir>/run.lock or throws std::runtime_error naming the holder. `dir` must exist.
  explicit RunLock(const std::string& dir);
  ~RunLock();  // removes the lock file
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  const std::string& path() const { return path_; }
  // Non-empty when a stale lock was taken over: who had left it.
  const std::string& taken_over_from() const { return taken_over_from_; }
  // True when the filesystem refused flock() and the lock relies on the holder's pid alone.
  bool pid_only() const { return pid_only_; }

 private:
  std::string path_, content_, taken_over_from_;
  int fd_ = -1;
  bool pid_only_ = false;
};

}  // namespace tnn
