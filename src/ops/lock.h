// One run per tier and destination.
//
// LocalLock: an flock(2) on `<lock_dir>/<tier>-<sha256(destination)[:16]>.lock`, the file
// holding the holder as JSON (host, pid, start, run id). A second run on this host fails at once
// with LockHeld naming the holder and the file; it never waits. The kernel drops the lock when
// the holder exits in any way (including kill -9), so a crashed run never blocks the next one.
// The file itself is left in place (deleting it would let two runs lock different inodes).
//
// RunLock: what a tier command takes: the local lock first, then the store's lease
// (ops/lease.h), so two hosts backing up to the same destination exclude each other too.
// Release order is the reverse. Both release on destruction.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "ops/lease.h"
#include "ops/run_identity.h"
#include "store/object_store.h"

namespace dredge {

// $XDG_CACHE_HOME/dredge/locks, else ~/.cache/dredge/locks, else /tmp/dredge-<uid>/locks.
std::string DefaultLockDir();

class LocalLock {
 public:
  // `destination` identifies the store (use ObjectStore::Describe()). Creates lock_dir.
  static Result<std::unique_ptr<LocalLock>> Acquire(const std::string& lock_dir,
                                                    const std::string& tier,
                                                    const std::string& destination,
                                                    const RunIdentity& me);
  ~LocalLock();
  LocalLock(const LocalLock&) = delete;
  LocalLock& operator=(const LocalLock&) = delete;
  const std::string& path() const { return path_; }

 private:
  LocalLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_;
};

struct RunLockOptions {
  std::string tier;
  std::string lock_dir;  // empty = DefaultLockDir()
  bool remote = true;    // also take the store lease
  LeaseOptions lease;    // tier and local_lock_held are filled in by RunLock
};

class RunLock {
 public:
  static Result<std::unique_ptr<RunLock>> Acquire(std::shared_ptr<ObjectStore> store,
                                                  const RunIdentity& me,
                                                  const RunLockOptions& options);
  // Releases the lease, then the local lock. Idempotent.
  Status Release();
  // The store lease was lost (see RemoteLease::lost); always false without a lease.
  bool lost() const { return lease_ && lease_->lost(); }

 private:
  std::unique_ptr<LocalLock> local_;
  std::unique_ptr<RemoteLease> lease_;
};

}  // namespace dredge
