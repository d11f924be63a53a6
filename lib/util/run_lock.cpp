// The run-folder lock. flock() does the locking: the kernel (or the NFS lock manager) releases it
// when the holder exits, however it exits, so a dead holder never blocks a new run and a reused
// pid can never fake a live one. The file's text only names the holder for messages. Where the
// filesystem refuses flock(), the text is all there is: a holder on this host is checked with
// kill(pid, 0); one on another host cannot be checked and is trusted (docs/distributed.md).
#include "tnn/run_lock.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fstream>
#include <stdexcept>

namespace tnn {
namespace {

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()), out;
  for (char c : raw) out.push_back(c == '\0' ? ' ' : c);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string read_all(int fd) {
  std::string s;
  char buf[1024];
  ::lseek(fd, 0, SEEK_SET);
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) s.append(buf, size_t(n));
  return s;
}

bool process_alive(long pid) {
  return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}

// "pid 123 on host h since <time> (tnn run ...)" from the file's JSON, or the raw text.
std::string describe(const std::string& content) {
  auto j = nlohmann::json::parse(content, nullptr, false);
  if (!j.is_object())
    return content.empty() ? "an unknown process (empty lock file)" : "'" + content + "'";
  return "pid " + std::to_string(j.value("pid", 0L)) + " on host " + j.value("host", "?") +
         " since " + j.value("started", "?") + " (" + j.value("command", "?") + ")";
}

bool unsupported(int err) {
  return err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS || err == EINVAL;
}

}  // namespace

RunLock::RunLock(const std::string& dir) : path_(dir + "/run.lock") {
  char started[32];
  std::time_t now = std::time(nullptr);
  std::strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%S%z", std::localtime(&now));
  content_ = nlohmann::json{{"host", host_name()},
                            {"pid", long(::getpid())},
                            {"started", started},
                            {"command", command_line()}}
                 .dump() +
             "\n";
  const std::string in_use = dir + ": run folder in use by ";
  const std::string advice = "; wait for it to finish or stop it (lock file " + path_ + ")";
  for (int attempt = 0; attempt < 5; ++attempt) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw std::runtime_error(path_ + ": cannot create the run lock: " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      const std::string holder = read_all(fd_);
      if (!unsupported(err)) {
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error(in_use + describe(holder) + advice);
      }
      // No flock on this filesystem: the holder's pid is all there is to go by.
      pid_only_ = true;
      auto j = nlohmann::json::parse(holder, nullptr, false);
      if (j.is_object()) {
        const bool here = j.value("host", "") == host_name();
        if (!here || process_alive(j.value("pid", 0L))) {
          ::close(fd_);
          fd_ = -1;
          throw std::runtime_error(
              in_use + describe(holder) + advice +
              (here ? ""
                    : "; this filesystem has no flock(), so a holder on another host "
                      "cannot be checked: delete the lock file if that process is gone"));
        }
        taken_over_from_ = describe(holder) + ", which is gone";
      }
    } else {
      // A releasing holder unlinks the file while still locking it: make sure the lock is on the
      // file that the path names now, else start again.
      struct stat by_fd {
      }, by_path{};
      if (::fstat(fd_, &by_fd) != 0 || ::stat(path_.c_str(), &by_path) != 0 ||
          by_fd.st_ino != by_path.st_ino || by_fd.st_dev != by_path.st_dev) {
        ::close(fd_);
        fd_ = -1;
        continue;
      }
      const std::string previous = read_all(fd_);
      if (!previous.empty()) taken_over_from_ = describe(previous) + ", which no longer holds it";
    }
    if (::ftruncate(fd_, 0) != 0 ||
        ::pwrite(fd_, content_.data(), content_.size(), 0) != ssize_t(content_.size())) {
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error(path_ + ": cannot write the run lock: " + std::strerror(errno));
    }
    ::fsync(fd_);
    return;
  }
  throw std::runtime_error(path_ + ": the run lock kept changing hands; try again");
}

RunLock::~RunLock() {
  if (fd_ < 0) return;
  // pid-only mode: remove the file only if it still names us.
  if (!pid_only_ || read_all(fd_) == content_) ::unlink(path_.c_str());
  ::close(fd_);  // releases the flock
}

}  // namespace tnn
