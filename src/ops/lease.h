// RemoteLease: one run per tier and destination across hosts, through a lease object in the
// store: `.dredge/locks/<tier>.lease` (format: docs/formats/lease.md).
//
// What a caller may rely on:
//  - Acquire succeeds only when no unexpired lease of another run exists; otherwise LockHeld
//    naming the holder (host, pid, start) and when its lease expires.
//  - On stores with capabilities().conditional_put the lease is created with if_absent, so two
//    runs that race for a free lease cannot both win. Taking over an expired lease (remove, then
//    create) and every acquisition on stores without conditional writes are followed by a
//    read-back after `settle`: the run whose lease is not what it reads back gives up. That is
//    safe as long as each racer's remove+put completes within `settle` of the other's; a store
//    that delays writes by longer (or a host whose clock runs ahead by more than the time to
//    live) can let two runs proceed. docs/formats/lease.md says so for operators.
//  - While held, a background thread renews the expiry every `renew_interval`; each renewal
//    first reads the lease back, and if another run's lease is there (ours expired and was
//    taken over) lost() becomes true. Long-running engines should check lost() between units of
//    work and stop with LockHeld.
//  - Release() (and the destructor) stops renewing and removes the lease if it is still ours.
//  - A crashed run never blocks forever: its lease expires `ttl` after its last renewal; a run
//    on the same host may take it over at once when the holder's pid is gone and the caller
//    holds the local lock (see RunLock).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "ops/run_identity.h"
#include "store/object_store.h"

namespace dredge {

struct LeaseOptions {
  std::string tier;  // "files" or "db"
  std::chrono::milliseconds ttl{std::chrono::minutes(15)};
  std::chrono::milliseconds renew_interval{0};  // 0 = ttl / 3
  std::chrono::milliseconds settle{std::chrono::seconds(2)};
  // Clock for expiry decisions (ns since the epoch); NowUnixNanos when empty.
  std::function<int64_t()> now_ns;
  // True when the caller holds the local lock for this tier and destination: a lease left by a
  // dead process on this host may then be taken over before it expires.
  bool local_lock_held = false;
};

// The parsed content of a lease object.
struct LeaseRecord {
  RunIdentity holder;
  std::string tier;
  int64_t renewed_ns = 0;
  int64_t expiry_ns = 0;
};

std::string EncodeLease(const LeaseRecord& lease);
// Corrupt naming `key` when the bytes are not a lease.
Result<LeaseRecord> DecodeLease(std::string_view bytes, const std::string& key);

class RemoteLease {
 public:
  static Result<std::unique_ptr<RemoteLease>> Acquire(std::shared_ptr<ObjectStore> store,
                                                      const RunIdentity& me,
                                                      const LeaseOptions& options);
  ~RemoteLease();
  RemoteLease(const RemoteLease&) = delete;
  RemoteLease& operator=(const RemoteLease&) = delete;

  Status Release();
  bool lost() const { return lost_.load(); }
  const std::string& key() const { return key_; }

 private:
  RemoteLease(std::shared_ptr<ObjectStore> store, RunIdentity me, LeaseOptions options);
  void RenewLoop();
  Status RenewOnce();
  int64_t Now() const;
  // The steps of Acquire: write our record (conditionally when the store enforces it); wait
  // out racing writers and check the record read back is ours; decide whether the record in
  // `existing` may be replaced (Ok: expired, unreadable, or left by a dead process of this
  // host while we hold the host lock) or is held (LockHeld naming the holder).
  Status WriteOurs(bool if_absent);
  Status ConfirmOurs();
  Status MayTakeOver(const std::string& existing);

  std::shared_ptr<ObjectStore> store_;
  RunIdentity me_;
  LeaseOptions options_;
  std::string key_;
  std::atomic<bool> lost_{false};
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  bool released_ = false;
  int64_t expiry_ns_ = 0;
  std::thread renewer_;
};

}  // namespace dredge
