#include "engine/files/prune.h"

#include <algorithm>
#include <mutex>
#include <set>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/record_header.h"
#include "common/thread_pool.h"
#include "common/time_util.h"
#include "engine/files/planner.h"
#include "engine/files/prune_refs.h"
#include "engine/files/snapshot_catalog.h"
#include "formats/file_keys.h"
#include "formats/snapshot.h"

namespace dredge {
namespace {

constexpr size_t kMaxFailureNames = 1000;
// docs/formats/prune-record.md
constexpr const char* kPruneRecordFormat = "dredge-files-prune";
constexpr int kPruneRecordVersion = 1;

// Prune records in the store, ascending by name (= by time).
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

// Kept/retiring entries and the store's listing, loaded into the reference sets.
Status LoadRefs(ObjectStore& store, PruneRefs& refs, const std::vector<std::string>& kept,
                const std::vector<std::string>& retiring) {
  auto load = [&](const std::string& id, PruneRefs::Set set) {
    return ReadSnapshot(
        store, id,
        [&](const SnapshotEntry& e) {
          return refs.AddEntry(set, file_keys::DataKey(e.path), e.md5);
        },
        nullptr);
  };
  for (const auto& id : kept) DREDGE_RETURN_IF_ERROR(load(id, PruneRefs::Set::kKept));
  for (const auto& id : retiring) DREDGE_RETURN_IF_ERROR(load(id, PruneRefs::Set::kRetiring));
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
  // Multipart objects: their MD5 is in metadata. Unknown stays "" and is never deleted.
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

Result<std::string> WriteRecord(ObjectStore& store, const PruneOptions& o,
                                const std::vector<std::string>& existing,
                                const std::vector<std::string>& retiring, uint64_t data,
                                uint64_t content, uint64_t bytes) {
  int64_t now_s = NowUnixNanos() / 1000000000LL;
  for (int attempt = 0;; ++attempt) {
    int64_t name_s = now_s;
    if (!existing.empty()) {
      auto t = ParseCompactUtc(existing.back().substr(6, 15));
      if (t.ok() && *t >= name_s) name_s = *t + 1;
    }
    std::string id = file_keys::NewPruneRecordId(name_s);
    nlohmann::json j = {{"format", kPruneRecordFormat},
                        {"version", kPruneRecordVersion},
                        {"id", id},
                        {"started_at", FormatIsoUtc(now_s)},
                        {"host", IsValidUtf8(o.host) ? o.host : ""},
                        {"policy",
                         {{"keep_last", o.policy.keep_last},
                          {"keep_daily", o.policy.keep_daily},
                          {"keep_weekly", o.policy.keep_weekly},
                          {"keep_monthly", o.policy.keep_monthly}}},
                        {"retiring", retiring},
                        {"planned",
                         {{"snapshots", retiring.size()},
                          {"data_objects", data},
                          {"content_objects", content},
                          {"bytes", bytes}}}};
    PutOptions opts;
    opts.if_absent = true;
    opts.content_type = "application/json";
    auto put = PutString(store, file_keys::PruneRecordKey(id), j.dump(1) + "\n", opts);
    if (put.ok()) return id;
    if (!put.status().Is(ErrorKind::kPreconditionFailed) || attempt >= 3)
      return put.status().WithContext("cannot write prune record " + id);
  }
}

}  // namespace

Result<std::string> PruneToken(ObjectStore& store) {
  auto body = GetString(store, file_keys::PruneMarkerKey());
  if (!body.ok()) {
    if (body.status().Is(ErrorKind::kNotFound)) return std::string();
    return body.status().WithContext("cannot check whether the destination was pruned");
  }
  std::string token = std::move(*body);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  // Never "" for an existing marker: "" means "never pruned".
  return token.empty() ? std::string("?") : token;
}

Result<std::string> NewestPruneRecord(ObjectStore& store) {
  DREDGE_ASSIGN_OR_RETURN(auto ids, ListPruneRecords(store));
  return ids.empty() ? std::string() : ids.back();
}

Result<PruneSummary> PruneFiles(ObjectStore& store, const PruneOptions& o) {
  DREDGE_RETURN_IF_ERROR(ValidateRetentionPolicy(o.policy));
  PruneSummary s;
  DREDGE_ASSIGN_OR_RETURN(auto snaps, ListSnapshots(store));
  if (snaps.empty()) {
    // Without a snapshot nothing says what is needed: a wrong --dest must not lose content.
    log::Info("no snapshots in " + store.Describe() + ": nothing to prune");
    return s;
  }
  DREDGE_ASSIGN_OR_RETURN(auto records, ListPruneRecords(store));
  DREDGE_ASSIGN_OR_RETURN(auto named, RetiringFromRecords(store, records));

  std::vector<RestorePoint> points;
  std::vector<std::string> retiring;  // newest first
  for (auto it = snaps.rbegin(); it != snaps.rend(); ++it) {
    if (named.count(it->id)) {
      s.forced_retiring.push_back(it->id);
    } else {
      points.push_back({it->id, it->time_s});
    }
  }
  DREDGE_ASSIGN_OR_RETURN(RetentionDecision decision, ApplyRetention(points, o.policy));
  if (decision.keep.empty())
    return Status::Corrupt("prune would keep no snapshot of " + store.Describe() +
                           " (every one is named by an unfinished earlier prune); nothing was "
                           "deleted: inspect .dredge/prunes/");
  s.kept = decision.keep;
  for (const auto& r : decision.remove) s.removed_snapshots.push_back(r.id);
  retiring = s.removed_snapshots;
  retiring.insert(retiring.end(), s.forced_retiring.begin(), s.forced_retiring.end());
  std::vector<std::string> kept_ids;
  for (const auto& k : decision.keep) kept_ids.push_back(k.id);

  DREDGE_ASSIGN_OR_RETURN(auto refs, PruneRefs::Create());
  DREDGE_RETURN_IF_ERROR(LoadRefs(store, *refs, kept_ids, retiring));
  DREDGE_ASSIGN_OR_RETURN(s.unresolved_kept_entries, refs->UnresolvedKept());
  if (s.unresolved_kept_entries > 0)
    log::Warn(std::to_string(s.unresolved_kept_entries) +
              " files of kept snapshots were already missing from " + store.Describe() +
              " before this prune (run 'dredge verify files --deep'); prune deletes none of "
              "what they could need");

  // First pass: what goes (dry run: report it and stop).
  uint64_t data_n = 0, content_n = 0, bytes = 0;
  auto report = [&](const char* kind) {
    return [&, kind](const std::string& key, uint64_t size) -> Status {
      (std::string(kind) == "data" ? data_n : content_n) += 1;
      bytes += size;
      if (o.dry_run && o.on_remove)
        o.on_remove(std::string(kind) == "data" ? key : file_keys::ContentKey(key), size, kind);
      return Status::Ok();
    };
  };
  DREDGE_RETURN_IF_ERROR(refs->DeletableData(report("data")));
  DREDGE_RETURN_IF_ERROR(refs->DeletableContent(report("content")));
  if (o.dry_run) {
    s.data_objects_removed = data_n;
    s.content_objects_removed = content_n;
    s.bytes_freed = bytes;
    if (o.on_remove)
      for (const auto& id : retiring) o.on_remove(file_keys::SnapshotKey(id), 0, "snapshot");
    return s;
  }
  // Nothing to delete: no record either (a record sends every backup to the listing once).
  if (data_n + content_n + retiring.size() == 0) return s;

  DREDGE_ASSIGN_OR_RETURN(s.record,
                          WriteRecord(store, o, records, retiring, data_n, content_n, bytes));
  // Before the first deletion: from here on every backup rereads the listing.
  if (auto m = PutString(store, file_keys::PruneMarkerKey(), s.record + "\n"); !m.ok())
    return m.status().WithContext("cannot write " + file_keys::PruneMarkerKey() +
                                  "; nothing was deleted");
  log::Info("prune " + s.record + ": retiring " + std::to_string(retiring.size()) +
            " snapshots, deleting " + std::to_string(data_n) + " data and " +
            std::to_string(content_n) + " content objects");

  std::mutex mu;
  auto remove_one = [&](const std::string& key, uint64_t size, const char* kind) {
    Status st = store.Remove(key);
    std::lock_guard lock(mu);
    if (!st.ok()) {
      ++s.failed;
      std::string msg = "cannot delete '" + key + "': " + st.message();
      log::Warn(msg);
      if (s.failures.size() < kMaxFailureNames) s.failures.push_back(msg);
      return;
    }
    if (std::string(kind) == "data") {
      ++s.data_objects_removed;
      s.bytes_freed += size;
    } else if (std::string(kind) == "content") {
      ++s.content_objects_removed;
      s.bytes_freed += size;
    }
    if (o.on_remove) o.on_remove(key, size, kind);
    if (o.progress) {
      o.progress->AddFiles(1);
      o.progress->AddBytes(size);
    }
  };
  if (o.progress) {
    o.progress->SetUnit("objects");
    o.progress->SetTotals(data_n + content_n, bytes);
    o.progress->Start();
  }
  {
    int n = o.workers > 0 ? o.workers : 1;
    ThreadPool pool(n, 4 * n);
    auto submit = [&](const char* kind, bool content) {
      return [&, kind, content](const std::string& key, uint64_t size) -> Status {
        std::string k = content ? file_keys::ContentKey(key) : key;
        pool.Submit([&, k, size, kind] { remove_one(k, size, kind); });
        return Status::Ok();
      };
    };
    Status st = refs->DeletableData(submit("data", false));
    if (st.ok()) st = refs->DeletableContent(submit("content", true));
    pool.Wait();
    if (o.progress) o.progress->Stop();
    DREDGE_RETURN_IF_ERROR(st);
  }
  if (s.failed > 0) {
    log::Warn("some objects could not be deleted: the " + std::to_string(retiring.size()) +
              " retiring snapshots stay (named in prune record " + s.record +
              ") and the next prune retires them");
    return s;
  }
  // Snapshots last: until here every retiring snapshot still lists what it referenced.
  for (const auto& id : retiring) remove_one(file_keys::SnapshotKey(id), 0, "snapshot");
  if (s.failed > 0) return s;
  // Every snapshot older records named is gone now; only this run's record matters to backups.
  for (const auto& id : records) remove_one(file_keys::PruneRecordKey(id), 0, "record");
  return s;
}

}  // namespace dredge
