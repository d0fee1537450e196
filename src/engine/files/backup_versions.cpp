#include "engine/files/backup_versions.h"

#include "common/log.h"
#include "engine/files/content_keeper.h"
#include "formats/file_keys.h"
#include "formats/snapshot.h"

namespace dredge {
namespace {

constexpr const char* kLastRunVersioned = "last_run_versioned";

}  // namespace

const char* VersioningName(Versioning v) {
  switch (v) {
    case Versioning::kEnabled:
      return "enabled";
    case Versioning::kSuspended:
      return "suspended";
    case Versioning::kNone:
      break;
  }
  return "none";
}

Result<VersioningDecision> DecideVersioning(ObjectStore& store, StateIndex& index) {
  VersioningDecision d;
  auto state = VersioningOf(store);
  if (!state.ok())
    return state.status().WithContext("cannot ask " + store.Describe() +
                                      " whether it keeps object versions");
  d.state = *state;
  d.versioned = d.state == Versioning::kEnabled;
  auto last = index.GetMeta(kLastRunVersioned);
  if (!last.ok()) return last.status();
  if (!d.versioned && last->compare("1") == 0)
    d.warning = "versioning of " + store.Describe() + " is " + VersioningName(d.state) +
                " (it was enabled at the last backup): earlier snapshots read their files by "
                "version id, which stays valid while the bucket keeps those versions; this and "
                "later runs keep replaced content under .dredge/content/ instead. Enable "
                "versioning again (put-bucket-versioning Status=Enabled) to stop the copies";
  return d;
}

Status RememberVersioning(StateIndex& index, const VersioningDecision& d) {
  return index.SetMeta(kLastRunVersioned, d.versioned ? "1" : "");
}

Result<std::string> EntryVersionId(ObjectStore& store, const VersioningDecision& d,
                                   const IndexRow& row) {
  if (d.state == Versioning::kNone) return std::string();
  if (!row.version_id.empty() || !d.versioned) return row.version_id;
  auto info = store.Stat(file_keys::DataKey(row.path));
  if (!info.ok() && !info.status().Is(ErrorKind::kNotFound)) return info.status();
  if (info.ok() && ObjectHasMd5(*info, row.md5)) return info->version_id;
  log::Warn("the current object of " + row.path + " in " + store.Describe() +
            " does not hold its indexed content " + row.md5 +
            ": the snapshot names no version for it; run the backup again to store it");
  return std::string();
}

}  // namespace dredge

namespace dredge {

Status VersionProblem(ObjectStore& store, const SnapshotEntry& e, const Status& st) {
  // A store that keeps no versions (a copy of the bucket on file:// or an unversioned bucket)
  // cannot give the version either.
  if (st.Is(ErrorKind::kUnsupported))
    return Status::NotFound(store.Describe() + " keeps no object versions, so version " +
                            e.version_id + " of " + e.path + " (md5 " + e.md5 +
                            "), which the snapshot names, cannot be read by id");
  if (!st.Is(ErrorKind::kNotFound)) return st;
  return Status::NotFound("version " + e.version_id + " of " + e.path + " (md5 " + e.md5 +
                          "), which the snapshot names, is no longer in " + store.Describe() +
                          ": it was removed for good (a lifecycle rule, or by hand) or the URL "
                          "now names another bucket; restore another snapshot");
}

}  // namespace dredge
