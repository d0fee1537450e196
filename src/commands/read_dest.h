// What the read-only commands (`snapshots`, `manifests`, `ls`, `diff`, `verify`, and restore's
// first look) share: which destination they read, and what they say when it holds nothing.
//  - OpenForReading: --dest when given, else the first configured destination of the tier in
//    dredge.toml (the same rule as `restore`), opened through OpenDestination with the entry's
//    own settings under the store flags.
//  - ExplainEmpty: a destination with no restore point of the tier is an error (exit 1), never
//    an empty listing with exit 0, and the message tells a mistyped or empty destination (nothing
//    dredge wrote is there) from one whose backups have not finished yet.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "commands/run_setup.h"
#include "common/status.h"
#include "config/dredge_config.h"
#include "engine/files/snapshot_catalog.h"
#include "store/object_store.h"
#include "store/store_options.h"

namespace dredge {

struct ReadTarget {
  DredgeConfig config;
  DestinationConfig dest;
  std::shared_ptr<ObjectStore> store;
};

// `tier` is "files" or "db". Reads the config (its errors are returned) and applies [logging]
// format and limits (PrepareRun); opens no run log and writes nothing.
Result<ReadTarget> OpenForReading(const GlobalOptions& global, const std::string& tier,
                                  const std::string& flag_dest, const StoreOptions& flags);

// OpenForReading("files") and its snapshots, ascending (engine/files/snapshot_catalog.h);
// NotFound (through ExplainEmpty) when it holds none.
struct SnapshotsTarget {
  ReadTarget target;
  std::vector<SnapshotRef> snapshots;
};
Result<SnapshotsTarget> OpenSnapshots(const GlobalOptions& global, const std::string& flag_dest,
                                      const StoreOptions& flags);

// Returns the NotFound to report for a destination without restore points of `tier`: "nothing
// dredge wrote is at …" when no object of the tier's records is there, else `fallback` (which
// says what is missing).
Status ExplainEmpty(ObjectStore& store, const std::string& tier, Status fallback);

}  // namespace dredge
