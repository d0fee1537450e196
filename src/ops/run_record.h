// Run records: one small JSON object per run of a tier to a destination, success or failure,
// at `.dredge/runs/<tier>/run_<YYYYMMDD_HHMMSS>_<run_id>.json` (start time, UTC). Format:
// docs/formats/run-record.md. `dredge status` reads them to show the last success and the last
// failure; keys sort by start time, so the newest records are found without reading them all.
//
// A record is written once, at the end of the run (also when it failed), and never changed.
// Writing it must not turn a good backup into a failed one: callers log a failed write and keep
// the run's own outcome.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "ops/run_identity.h"
#include "store/object_store.h"

namespace dredge {

struct RunRecord {
  std::string tier;         // "files" or "db"
  std::string command;      // "backup", "prune", "drill", …
  std::string destination;  // ObjectStore::Describe()
  RunIdentity run;          // host, pid, run id, start
  int64_t end_ns = 0;
  std::string status;  // "ok", "partial" or "failed"
  int exit_code = 0;
  std::string error;                      // the run's error message (scrubbed); empty when ok
  uint64_t objects = 0;                   // objects written (uploaded or copied)
  uint64_t bytes = 0;                     // bytes sent to the store
  uint64_t rows = 0;                      // rows exported (db tier)
  std::map<std::string, int64_t> counts;  // tier-specific: skipped, copied, failed, chunks, …
  std::string snapshot;                   // key of the snapshot or manifest the run wrote, if any

  std::string key;  // filled by WriteRunRecord / the readers

  bool ok() const { return status == "ok"; }
  double duration_seconds() const { return (end_ns - run.start_ns) / 1e9; }
};

// "ok" / "partial" / "failed" for a run's final Status (Partial → partial, else failed).
std::string RunStatusFor(const Status& status);

std::string RunRecordKey(const RunRecord& record);
std::string EncodeRunRecord(const RunRecord& record);
Result<RunRecord> DecodeRunRecord(std::string_view bytes, const std::string& key);

// Writes the record (never overwriting: if_absent) and returns its key.
Result<std::string> WriteRunRecord(ObjectStore& store, const RunRecord& record);

// Every readable record of `tier`, oldest first. Unreadable records are skipped with a warning.
Result<std::vector<RunRecord>> ListRunRecords(ObjectStore& store, const std::string& tier);

struct LastRuns {
  std::optional<RunRecord> last_success;
  std::optional<RunRecord> last_failure;  // newest record whose status is not "ok"
  size_t total = 0;                       // records of the tier
};

// Reads records newest first, only until the last success and the last failure are known.
Result<LastRuns> FindLastRuns(ObjectStore& store, const std::string& tier);

}  // namespace dredge
