#include "ops/run_scope.h"

#include "common/exit_codes.h"
#include "common/log.h"
#include "common/time_util.h"
#include "ops/metrics.h"
#include "ops/run_record.h"

namespace dredge {

Result<std::unique_ptr<RunScope>> RunScope::Begin(std::shared_ptr<ObjectStore> store,
                                                  const RunScopeOptions& options) {
  std::unique_ptr<RunScope> scope(new RunScope());
  scope->store_ = store;
  scope->options_ = options;
  scope->run_ = NewRunIdentity();
  if (options.take_lock) {
    RunLockOptions lo = options.lock;
    lo.tier = options.tier;
    DREDGE_ASSIGN_OR_RETURN(scope->lock_, RunLock::Acquire(store, scope->run_, lo));
  }
  scope->finished_ = false;
  log::Info(options.command + " " + options.tier + " to " + store->Describe() + " started (run " +
            scope->run_.run_id + ")");
  if (scope->lock_ && options.abort_incomplete_after) {
    UploadCleanupOptions uo;
    uo.older_than = *options.abort_incomplete_after;
    scope->uploads_ = AbortOrphanedUploads(*store, scope->run_, uo);
  }
  return scope;
}

Status RunScope::Finish(const Status& outcome, const RunTotals& totals) {
  if (finished_) return outcome;
  finished_ = true;
  if (lock_) {
    Status released = lock_->Release();
    if (!released.ok()) log::Warn(released.message() + " (the lease expires by itself)");
    lock_.reset();
  }
  RunRecord r;
  r.tier = options_.tier;
  r.command = options_.command;
  r.destination = store_->Describe();
  r.run = run_;
  r.end_ns = NowUnixNanos();
  r.status = RunStatusFor(outcome);
  r.exit_code = ExitCodeFor(outcome);
  r.error = outcome.ok() ? "" : outcome.message();
  r.objects = totals.objects;
  r.bytes = totals.bytes;
  r.rows = totals.rows;
  r.counts = totals.counts;
  r.snapshot = totals.snapshot;
  auto written = WriteRunRecord(*store_, r);
  if (!written.ok())
    log::Warn(written.status().message() + ": `dredge status` will not show this run");

  if (!options_.metrics_file.empty()) {
    RunMetrics m;
    m.tier = r.tier;
    m.destination = r.destination;
    m.success = outcome.ok();
    m.exit_code = r.exit_code;
    m.start_ns = r.run.start_ns;
    m.end_ns = r.end_ns;
    m.objects = r.objects;
    m.bytes = r.bytes;
    m.rows = r.rows;
    Status st = UpdateMetricsFile(options_.metrics_file, m);
    if (!st.ok()) log::Warn(st.message());
  }
  log::Info(options_.command + " " + options_.tier + " to " + r.destination + " finished: " +
            r.status + " in " + std::to_string(static_cast<int64_t>(r.duration_seconds())) + "s");
  return outcome;
}

RunScope::~RunScope() {
  if (!finished_) (void)Finish(Status::Io("the run ended without a result"), RunTotals{});
}

}  // namespace dredge
