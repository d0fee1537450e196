// Check records: the result of one `verify files`, `verify db` or `drill` of a tier at a
// destination (docs/formats/check-record.md), so `dredge report` can show the newest ones.
// Writing one never changes the check's outcome: WriteCheckRecord returns the problem and the
// caller logs it as a warning.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/status.h"
#include "ops/run_identity.h"
#include "store/object_store.h"

namespace dredge {

struct CheckRecord {
  std::string kind;         // "verify", "verify-deep" or "drill"
  std::string tier;         // "files" or "db"
  std::string destination;  // ObjectStore::Describe()
  RunIdentity run;
  int64_t end_ns = 0;
  std::string status;  // "ok", "mismatch" or "failed"
  int exit_code = 0;
  std::string message;  // scrubbed when written
  std::map<std::string, int64_t> counts;
  std::string key;  // filled by the reader
};

// "ok", "mismatch" (Mismatch and Corrupt: exit 4) or "failed" for a check's final Status.
std::string CheckStatusFor(const Status& status);

std::string EncodeCheckRecord(const CheckRecord& record);
Result<CheckRecord> DecodeCheckRecord(std::string_view bytes, const std::string& key);

// Writes `record` (start from record.run, end now when end_ns is 0) with a conditional create.
Result<std::string> WriteCheckRecord(ObjectStore& store, CheckRecord record);

// Builds the record of a check that ran under `run` with `outcome` and writes it; a failed
// write is logged as a warning naming the key and what to do, nothing else.
void RecordCheck(ObjectStore& store, const std::string& kind, const std::string& tier,
                 const RunIdentity& run, const Status& outcome,
                 const std::map<std::string, int64_t>& counts);

// The newest readable record of `kind` for `tier`; nullopt when there is none.
Result<std::optional<CheckRecord>> NewestCheckRecord(ObjectStore& store, const std::string& tier,
                                                     const std::string& kind);

}  // namespace dredge
