// RunScope: the operational frame around one run of a tier to one destination, so a tier
// command needs three calls:
//
//   DREDGE_ASSIGN_OR_RETURN(auto scope, RunScope::Begin(store, {.tier = "files", ...}));
//   Status outcome = engine.Run(..., [&] { return scope->lease_lost(); });
//   return scope->Finish(outcome, totals);
//
// Begin takes the run lock (local flock + store lease, ops/lock.h); LockHeld comes back at once
// and nothing is recorded for a run that never started. With abort_incomplete_after set and the
// lock taken, it then aborts the incomplete uploads killed runs left (ops/upload_cleanup.h);
// uploads() reports what it found. Finish releases the lock, writes the
// run record (ops/run_record.h) and, when a metrics file is configured, updates it
// (ops/metrics.h). Failing to record is logged as a warning and never changes the run's outcome,
// which Finish returns unchanged. A RunScope destroyed without Finish (an early return) records
// the run as failed ("ended without a result").
//
// The per-tier log file (ops/run_log.h) is opened by the command once per tier, not here: one
// log covers every destination of the tier.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "ops/lock.h"
#include "ops/run_identity.h"
#include "ops/upload_cleanup.h"
#include "store/object_store.h"

namespace dredge {

struct RunScopeOptions {
  std::string tier;
  std::string command = "backup";
  bool take_lock = true;
  RunLockOptions lock;       // tier is filled in
  std::string metrics_file;  // empty: no metrics
  // Abort incomplete uploads older than this that no live run owns; none when empty.
  std::optional<std::chrono::seconds> abort_incomplete_after;
};

struct RunTotals {
  uint64_t objects = 0;
  uint64_t bytes = 0;
  uint64_t rows = 0;
  std::map<std::string, int64_t> counts;
  std::string snapshot;
};

class RunScope {
 public:
  static Result<std::unique_ptr<RunScope>> Begin(std::shared_ptr<ObjectStore> store,
                                                 const RunScopeOptions& options);
  ~RunScope();
  RunScope(const RunScope&) = delete;
  RunScope& operator=(const RunScope&) = delete;

  const RunIdentity& run() const { return run_; }
  // The store lease was lost mid-run: stop and return LockHeld.
  bool lease_lost() const { return lock_ && lock_->lost(); }
  const UploadCleanupReport& uploads() const { return uploads_; }
  // Records the run and returns `outcome`.
  Status Finish(const Status& outcome, const RunTotals& totals);

 private:
  RunScope() = default;
  std::shared_ptr<ObjectStore> store_;
  RunScopeOptions options_;
  RunIdentity run_;
  std::unique_ptr<RunLock> lock_;
  UploadCleanupReport uploads_;
  bool finished_ = true;  // until Begin succeeds: a scope that never started records nothing
};

}  // namespace dredge
