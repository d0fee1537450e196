#include "ops/lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/cache_dir.h"
#include "common/hash.h"
#include "common/time_util.h"

namespace dredge {
namespace {

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  off_t off = 0;
  ssize_t n;
  while ((n = ::pread(fd, buf, sizeof buf, off)) > 0) {
    out.append(buf, static_cast<size_t>(n));
    off += n;
  }
  return out;
}

std::optional<std::string> ParseHolder(const std::string& content) {
  try {
    auto j = nlohmann::json::parse(content);
    RunIdentity id;
    id.host = j.at("host").get<std::string>();
    id.pid = j.at("pid").get<int64_t>();
    id.start_ns = std::stoll(j.at("start_ns").get<std::string>());
    return id.Describe();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The holder writes its description right after taking the lock; a loser that looks in between
// gives it a moment (at most ~100 ms) rather than reporting an anonymous holder.
std::string DescribeHolder(int fd) {
  for (int i = 0; i < 20; ++i) {
    if (auto d = ParseHolder(ReadAll(fd))) return *d;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return "a run that is just starting";
}

}  // namespace

std::string DefaultLockDir() {
  return (std::filesystem::path(DredgeCacheDir()) / "locks").string();
}

Result<std::unique_ptr<LocalLock>> LocalLock::Acquire(const std::string& lock_dir,
                                                      const std::string& tier,
                                                      const std::string& destination,
                                                      const RunIdentity& me) {
  std::error_code ec;
  std::filesystem::create_directories(lock_dir, ec);
  if (ec)
    return Status::Io("cannot create lock directory '" + lock_dir + "': " + ec.message() +
                      ": make it writable or set XDG_CACHE_HOME");
  std::string path = lock_dir + "/" + tier + "-" + Sha256Hex(destination).substr(0, 16) + ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Io("cannot open lock file '" + path + "': " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string holder = DescribeHolder(fd);
    ::close(fd);
    if (err == EWOULDBLOCK)
      return Status::LockHeld("another dredge " + tier + " run to " + destination +
                              " is in progress (" + holder + "; lock file " + path +
                              "). Wait for it to finish: the lock is released when it exits");
    return Status::Io("cannot lock '" + path + "': " + std::strerror(err));
  }
  nlohmann::ordered_json j = {{"host", me.host},
                              {"pid", me.pid},
                              {"run_id", me.run_id},
                              {"tier", tier},
                              {"destination", destination},
                              {"start", FormatIsoUtcNanos(me.start_ns)},
                              {"start_ns", std::to_string(me.start_ns)}};
  std::string text = j.dump() + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    // The lock itself is held; only the holder description is missing. Keep going.
  }
  return std::unique_ptr<LocalLock>(new LocalLock(path, fd));
}

LocalLock::~LocalLock() {
  // Truncate first so a reader never sees a released lock with a stale holder in it.
  if (::ftruncate(fd_, 0) != 0) {
  }
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

Result<std::unique_ptr<RunLock>> RunLock::Acquire(std::shared_ptr<ObjectStore> store,
                                                  const RunIdentity& me,
                                                  const RunLockOptions& options) {
  std::unique_ptr<RunLock> lock(new RunLock());
  std::string dir = options.lock_dir.empty() ? DefaultLockDir() : options.lock_dir;
  DREDGE_ASSIGN_OR_RETURN(lock->local_,
                          LocalLock::Acquire(dir, options.tier, store->Describe(), me));
  if (options.remote) {
    LeaseOptions lo = options.lease;
    lo.tier = options.tier;
    lo.local_lock_held = true;
    DREDGE_ASSIGN_OR_RETURN(lock->lease_, RemoteLease::Acquire(std::move(store), me, lo));
  }
  return lock;
}

Status RunLock::Release() {
  Status st;
  if (lease_) {
    st = lease_->Release();
    lease_.reset();
  }
  local_.reset();
  return st;
}

}  // namespace dredge
