#include "commands/read_dest.h"

#include "cli/store_flags.h"
#include "formats/db_keys.h"
#include "formats/file_keys.h"

namespace dredge {

Result<ReadTarget> OpenForReading(const GlobalOptions& global, const std::string& tier,
                                  const std::string& flag_dest, const StoreOptions& flags) {
  ConfigOverrides o;
  if (!flag_dest.empty())
    (tier == "db" ? o.db_dest : o.files_dest).push_back(DestinationFromUrl(flag_dest));
  ReadTarget t;
  DREDGE_ASSIGN_OR_RETURN(t.config, PrepareRun(global, o, OpsFlags{}));
  t.dest = t.config.DestinationsFor(tier).front();
  DREDGE_ASSIGN_OR_RETURN(t.store, OpenDestination(t.dest.url, MergeStoreOptions(t.dest, flags)));
  return t;
}

Result<SnapshotsTarget> OpenSnapshots(const GlobalOptions& global, const std::string& flag_dest,
                                      const StoreOptions& flags) {
  SnapshotsTarget t;
  DREDGE_ASSIGN_OR_RETURN(t.target, OpenForReading(global, "files", flag_dest, flags));
  ObjectStore& store = *t.target.store;
  DREDGE_ASSIGN_OR_RETURN(t.snapshots, ListSnapshots(store));
  if (t.snapshots.empty())
    return ExplainEmpty(store, "files",
                        Status::NotFound("no snapshots in " + store.Describe() +
                                         " yet: no 'dredge backup files' to it has finished "
                                         "('dredge status' shows the runs)"));
  return t;
}

Status ExplainEmpty(ObjectStore& store, const std::string& tier, Status fallback) {
  // Everything the database tier writes is under the folder of its chunks and manifests.
  const std::string_view chunks = dbkeys::kChunkPrefix;
  const std::string prefix(tier == "db" ? chunks.substr(0, chunks.find('/') + 1)
                                        : file_keys::kRecordsPrefix);
  bool found = false;
  Status st = store.List(prefix, [&](const ObjectInfo&) {
    found = true;
    return Status(ErrorKind::kCancelled, "found one");
  });
  if (found) return fallback;
  // A store folder that does not exist is the same answer: nothing is there.
  if (!st.ok() && !st.Is(ErrorKind::kNotFound) && !st.Is(ErrorKind::kCancelled)) return st;
  const std::string where = tier == "db" ? "[[db.destination]]" : "[[files.destination]]";
  return Status::NotFound(
      "nothing dredge wrote is at " + store.Describe() + " (no " +
      (tier == "db" ? "database" : "files") + "-tier backup is there): check --dest or " + where +
      " in dredge.toml for a typing mistake, or run 'dredge backup " + tier + "' first");
}

}  // namespace dredge
