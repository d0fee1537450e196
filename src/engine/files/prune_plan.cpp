#include "engine/files/prune_plan.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/record_header.h"
#include "common/time_util.h"
#include "engine/files/planner.h"
#include "engine/files/prune_record.h"
#include "engine/files/prune_refs.h"
#include "engine/files/snapshot_catalog.h"
#include "formats/file_keys.h"
#include "formats/snapshot.h"

namespace dredge {
namespace {

// Snapshot ids named as retiring by earlier prune records (those that did not finish).
Result<std::set<std::string>> RetiringFromRecords(ObjectStore& store,
                                                  const std::vector<std::string>& records) {
  std::set<std::string> out;
  for (const auto& id : records) {
    DREDGE_ASSIGN_OR_RETURN(std::string body, GetString(store, file_keys::PruneRecordKey(id)));
    try {
      auto j = nlohmann::json::parse(body);
      DREDGE_RETURN_IF_ERROR(
          CheckRecordHeader(j, kPruneRecordFormat, kPruneRecordVersion, "prune record " + id));
      for (const auto& s : j.at("retiring")) out.insert(s.get<std::string>());
    } catch (const std::exception& e) {
      return Status::Corrupt("prune record " + id + " is not valid: " + e.what() +
                             " (inspect it; deleting it makes the next prune forget the "
                             "snapshots it was retiring)");
    }
  }
  return out;
}

// What the entries of the snapshots say beyond the reference sets: on a versioned store, the
// data keys some snapshot names (only their noncurrent versions are dredge's to remove) and the
// version ids kept snapshots reference (docs/formats/snapshot.md `version_id`).
struct Named {
  std::set<std::string> keys;
  std::set<std::string> kept_versions;
};

// True when `version_id` is the current version of `key`.
bool IsCurrent(const VersionMap& versions, const std::string& key, const std::string& version_id) {
  for (const VersionInfo& v : versions.Of(key))
    if (v.version_id == version_id) return v.is_latest && !v.delete_marker;
  return false;
}

// A kept entry naming a version keeps it; one naming a noncurrent version needs nothing else
// (not the path's current object, not a preserved copy), so it stays out of the reference sets.
Status LoadEntries(ObjectStore& store, PruneRefs& refs, Named& named, const VersionMap& versions,
                   const std::vector<std::string>& kept, const std::vector<std::string>& retiring) {
  auto load = [&](const std::string& id, PruneRefs::Set set) {
    return ReadSnapshot(
        store, id,
        [&](const SnapshotEntry& e) {
          std::string key = file_keys::DataKey(e.path);
          if (versions.versioned()) named.keys.insert(key);
          if (set == PruneRefs::Set::kKept && !e.version_id.empty()) {
            named.kept_versions.insert(e.version_id);
            if (!IsCurrent(versions, key, e.version_id)) return Status::Ok();
          }
          return refs.AddEntry(set, key, e.md5);
        },
        nullptr);
  };
  for (const auto& id : kept) DREDGE_RETURN_IF_ERROR(load(id, PruneRefs::Set::kKept));
  for (const auto& id : retiring) DREDGE_RETURN_IF_ERROR(load(id, PruneRefs::Set::kRetiring));
  return Status::Ok();
}

// The store's listing into the reference sets, then the MD5 of multipart objects from their
// metadata (unknown stays "" and is never deleted).
Status LoadObjects(ObjectStore& store, PruneRefs& refs) {
  DREDGE_RETURN_IF_ERROR(store.List("", [&](const ObjectInfo& o) -> Status {
    if (o.key.starts_with(file_keys::kContentPrefix)) {
      std::string md5 = o.key.substr(file_keys::kContentPrefix.size());
      if (IsPlainMd5(md5)) return refs.AddContentObject(md5, o.size);
      return Status::Ok();  // not ours to judge
    }
    if (file_keys::IsRecordKey(o.key)) return Status::Ok();
    return refs.AddDataObject(o.key, o.size, IsPlainMd5(o.etag) ? o.etag : "");
  }));
  DREDGE_RETURN_IF_ERROR(refs.Seal());
  DREDGE_ASSIGN_OR_RETURN(auto unresolved, refs.DataKeysToResolve());
  for (const auto& key : unresolved) {
    auto info = store.Stat(key);
    if (!info.ok()) {
      if (info.status().Is(ErrorKind::kNotFound)) continue;
      return info.status().WithContext("cannot read the metadata of '" + key + "'");
    }
    auto it = info->metadata.find("md5");
    if (it != info->metadata.end() && IsPlainMd5(it->second))
      DREDGE_RETURN_IF_ERROR(refs.SetDataMd5(key, it->second));
  }
  return Status::Ok();
}

// The policy's decision, with the snapshots an unfinished earlier prune named set apart.
Status Decide(FilesPrunePlan& p, const std::string& dest, const std::vector<SnapshotRef>& snaps,
              const std::set<std::string>& named, std::map<std::string, int64_t>& times) {
  std::vector<RestorePoint> points;
  for (auto it = snaps.rbegin(); it != snaps.rend(); ++it) {
    times[it->id] = it->time_s;
    if (named.count(it->id)) {
      p.forced_retiring.push_back(it->id);
    } else {
      points.push_back({it->id, it->time_s});
    }
  }
  DREDGE_ASSIGN_OR_RETURN(RetentionDecision decision, ApplyRetention(points, p.policy));
  if (decision.keep.empty())
    return Status::Corrupt("prune would keep no snapshot of " + dest +
                           " (every one is named by an unfinished earlier prune); nothing was "
                           "deleted: inspect .dredge/prunes/");
  p.kept = decision.keep;
  for (const auto& r : decision.remove) p.removed_snapshots.push_back(r.id);
  return Status::Ok();
}

// Retiring snapshots whose document a lock holds are kept whole (with everything they
// reference); the others' documents become removals.
Status HoldLocked(ObjectStore& store, const VersionMap& versions, FilesPrunePlan& p,
                  const std::map<std::string, int64_t>& times) {
  for (auto* list : {&p.removed_snapshots, &p.forced_retiring}) {
    std::vector<std::string> still;
    for (const auto& id : *list) {
      PruneTargets t;
      std::string key = file_keys::SnapshotKey(id);
      DREDGE_ASSIGN_OR_RETURN(size_t locked, versions.Expand(store, key, 0, "snapshot", {}, t));
      if (locked == 0) {
        still.push_back(id);
        for (auto& r : t.remove) p.snapshots.remove.push_back(std::move(r));
        continue;
      }
      int64_t until = SummarizeLocks(t.locked).latest;
      p.kept.push_back({id, times.at(id), {"locked until " + FormatIsoUtc(until)}});
      for (auto& l : t.locked) p.snapshots.locked.push_back(std::move(l));
    }
    *list = std::move(still);
  }
  std::stable_sort(p.kept.begin(), p.kept.end(),
                   [](const auto& a, const auto& b) { return a.time_s > b.time_s; });
  return Status::Ok();
}

// Data and content objects only retiring snapshots needed, every version of them on a versioned
// store; `expanded` receives their keys.
Status PlanObjects(ObjectStore& store, const VersionMap& versions, PruneRefs& refs,
                   const Named& named, FilesPrunePlan& p, std::set<std::string>& expanded) {
  auto add = [&](const char* kind, bool content) {
    return [&, kind, content](const std::string& k, uint64_t size) -> Status {
      std::string key = content ? file_keys::ContentKey(k) : k;
      if (versions.versioned()) expanded.insert(key);
      return versions.Expand(store, key, size, kind, named.kept_versions, p.objects).status();
    };
  };
  DREDGE_RETURN_IF_ERROR(refs.DeletableData(add("data", false)));
  return refs.DeletableContent(add("content", true));
}

// Noncurrent versions of data keys a snapshot names that no kept snapshot references. Delete
// markers stay (they keep a removed file removed); the current version is the listing's.
Status PlanNoncurrent(ObjectStore& store, const VersionMap& versions, const Named& named,
                      const std::set<std::string>& expanded, FilesPrunePlan& p) {
  for (const auto& [key, list] : versions.keys()) {
    if (!named.keys.count(key) || expanded.count(key)) continue;
    for (const VersionInfo& v : list) {
      if (v.is_latest || v.delete_marker || named.kept_versions.count(v.version_id)) continue;
      DREDGE_RETURN_IF_ERROR(versions.ExpandVersion(store, v, "noncurrent", p.objects).status());
    }
  }
  return Status::Ok();
}

Status PlanRecords(ObjectStore& store, const VersionMap& versions, FilesPrunePlan& p) {
  for (const auto& id : p.existing_records)
    DREDGE_RETURN_IF_ERROR(
        versions.Expand(store, file_keys::PruneRecordKey(id), 0, "record", {}, p.records).status());
  return Status::Ok();
}

// The reference sets of the kept and retiring snapshots, and what the plan removes by them.
Status PlanByReferences(ObjectStore& store, const VersionMap& versions, FilesPrunePlan& p) {
  DREDGE_ASSIGN_OR_RETURN(auto refs, PruneRefs::Create());
  Named named;
  std::vector<std::string> kept_ids;
  for (const auto& k : p.kept) kept_ids.push_back(k.id);
  DREDGE_RETURN_IF_ERROR(LoadEntries(store, *refs, named, versions, kept_ids, p.Retiring()));
  DREDGE_RETURN_IF_ERROR(LoadObjects(store, *refs));
  DREDGE_ASSIGN_OR_RETURN(p.unresolved_kept_entries, refs->UnresolvedKept());
  if (p.unresolved_kept_entries > 0)
    log::Warn(std::to_string(p.unresolved_kept_entries) +
              " files of kept snapshots were already missing from " + store.Describe() +
              " before this prune (run 'dredge verify files --deep'); prune deletes none of "
              "what they could need");
  std::set<std::string> expanded;
  DREDGE_RETURN_IF_ERROR(PlanObjects(store, versions, *refs, named, p, expanded));
  if (versions.versioned())
    DREDGE_RETURN_IF_ERROR(PlanNoncurrent(store, versions, named, expanded, p));
  return Status::Ok();
}

}  // namespace

std::vector<std::string> FilesPrunePlan::Retiring() const {
  std::vector<std::string> out = removed_snapshots;
  out.insert(out.end(), forced_retiring.begin(), forced_retiring.end());
  return out;
}

uint64_t FilesPrunePlan::Count(const std::string& kind) const {
  return std::count_if(objects.remove.begin(), objects.remove.end(),
                       [&](const PruneTarget& t) { return t.kind == kind; });
}

uint64_t FilesPrunePlan::Bytes() const {
  uint64_t n = 0;
  for (const auto& t : objects.remove) n += t.size;
  return n;
}

LockSummary FilesPrunePlan::Locks() const {
  std::vector<LockedVersion> all = objects.locked;
  all.insert(all.end(), snapshots.locked.begin(), snapshots.locked.end());
  all.insert(all.end(), records.locked.begin(), records.locked.end());
  return SummarizeLocks(all);
}

bool FilesPrunePlan::Empty() const {
  return objects.remove.empty() && snapshots.remove.empty() && Retiring().empty();
}

Result<std::vector<std::string>> ListPruneRecords(ObjectStore& store) {
  std::vector<std::string> ids;
  DREDGE_RETURN_IF_ERROR(
      store.List(std::string(file_keys::kPrunePrefix), [&](const ObjectInfo& o) -> Status {
        auto id = file_keys::ParsePruneRecordKey(o.key);
        if (id.ok()) ids.push_back(*id);
        return Status::Ok();
      }));
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<FilesPrunePlan> PlanFilesPrune(ObjectStore& store, const RetentionPolicy& policy,
                                      int64_t now_s) {
  DREDGE_RETURN_IF_ERROR(ValidateRetentionPolicy(policy));
  FilesPrunePlan p;
  p.policy = policy;
  p.now_s = now_s;
  DREDGE_ASSIGN_OR_RETURN(auto snaps, ListSnapshots(store));
  if (snaps.empty()) {
    // Without a snapshot nothing says what is needed: a wrong --dest must not lose content.
    p.no_snapshots = true;
    return p;
  }
  DREDGE_ASSIGN_OR_RETURN(p.existing_records, ListPruneRecords(store));
  DREDGE_ASSIGN_OR_RETURN(auto named, RetiringFromRecords(store, p.existing_records));
  std::map<std::string, int64_t> times;
  DREDGE_RETURN_IF_ERROR(Decide(p, store.Describe(), snaps, named, times));
  DREDGE_ASSIGN_OR_RETURN(VersionMap versions, VersionMap::Load(store, "", now_s));
  p.versioned = versions.versioned();
  DREDGE_RETURN_IF_ERROR(HoldLocked(store, versions, p, times));
  DREDGE_RETURN_IF_ERROR(PlanByReferences(store, versions, p));
  DREDGE_RETURN_IF_ERROR(PlanRecords(store, versions, p));
  return p;
}

}  // namespace dredge
