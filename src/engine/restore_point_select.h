// Picks one restore point (a files snapshot or a database manifest) from what a user typed, the
// same way for both tiers. The tier resolvers (engine/files/snapshot_select.h,
// engine/db/manifest_select.h) list their points and call this; commands never match names.
//
// What a selector may be (docs/operations.md, "Choosing a restore point"):
//   ""  or "latest"          the newest point (with as_of: the newest at or before it)
//   a whole id               that point ("snapshot_20250527_000750_a1b2c3")
//   a unique prefix          of the id, or of the id after its fixed head ("snapshot_",
//                            "backup_manifest_"): "20250527_000750" (the stamp), "20250527_00"
// A prefix matching several points is a Usage error that lists them (at most 10, then a count);
// one matching none is NotFound. Text with characters no id has is Usage. `as_of` together with
// a non-empty text (other than "latest") is Usage: the two choose differently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace dredge {

struct RestorePointSelector {
  std::string text;                 // "", "latest", an id or a prefix of one
  std::optional<int64_t> as_of_ns;  // --as-of: unix nanoseconds
};

struct RestorePointName {
  std::string id;      // "snapshot_20250527_000750_a1b2c3"
  size_t head = 0;     // length of the fixed head every id of the tier starts with ("snapshot_")
  int64_t time_s = 0;  // UTC seconds the name encodes
};

// Words for messages: noun "snapshot", where "file:///srv/b", list_command "dredge snapshots".
struct SelectWords {
  std::string noun, where, list_command;
};

// Index into `ascending` (sorted oldest first) of the chosen point.
Result<size_t> SelectRestorePoint(const std::vector<RestorePointName>& ascending,
                                  const RestorePointSelector& selector, const SelectWords& words);

}  // namespace dredge
