#include "engine/restore_point_locks.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "engine/db/manifest_store.h"
#include "engine/files/planner.h"
#include "engine/files/snapshot_catalog.h"
#include "formats/db_keys.h"
#include "formats/file_keys.h"
#include "formats/snapshot.h"
#include "store/object_versions.h"

namespace dredge {
namespace {

// An object of the point: (last-modified, key, version id or "" for the current version).
using Candidate = std::tuple<int64_t, std::string, std::string>;
using Candidates = std::vector<Candidate>;

void Note(PointLock& out, const ObjectInfo& info, int64_t now_s) {
  ++out.asked;
  if (info.lock_retain_until <= now_s) {
    out.unlocked = true;
    return;
  }
  if (out.earliest == 0 || info.lock_retain_until < out.earliest) {
    out.earliest = info.lock_retain_until;
    out.mode = info.lock_mode;
  }
}

// Stats the document and the `max_stats` oldest candidates.
Status AskOldest(ObjectStore& store, const std::string& document, Candidates cands,
                 size_t max_stats, int64_t now_s, PointLock& out) {
  out.objects = cands.size() + 1;
  std::sort(cands.begin(), cands.end());
  if (cands.size() > max_stats) cands.resize(max_stats);
  cands.push_back({0, document, ""});
  for (const auto& [mtime, key, version_id] : cands) {
    auto info = version_id.empty() ? store.Stat(key) : StatVersion(store, key, version_id);
    if (!info.ok()) return info.status().WithContext("cannot read the retention of '" + key + "'");
    Note(out, *info, now_s);
  }
  return Status::Ok();
}

// What the point needs of one entry (docs/formats/snapshot.md).
struct Need {
  std::string md5;
  std::string version_id;
};

// Where each entry of the snapshot keeps its bytes (docs/formats/snapshot.md: the data key when
// it holds the entry's MD5, else the entry's version when it names one, else the preserved
// content), with its last-modified. A noncurrent version was replaced after it was written:
// it counts as older than anything current (last-modified 0), so it is asked first.
Result<Candidates> FilesCandidates(ObjectStore& store, std::map<std::string, Need> data) {
  Candidates cands;
  std::map<std::string, int64_t> content;  // md5 → last-modified
  std::set<std::string> need_content;
  auto elsewhere = [&](const std::string& key, const Need& n) {
    if (!n.version_id.empty()) {
      cands.push_back({0, key, n.version_id});
    } else {
      need_content.insert(n.md5);
    }
  };
  DREDGE_RETURN_IF_ERROR(store.List("", [&](const ObjectInfo& o) {
    if (o.key.starts_with(file_keys::kContentPrefix)) {
      content[o.key.substr(file_keys::kContentPrefix.size())] = o.mtime_ns;
      return Status::Ok();
    }
    auto it = data.find(o.key);
    if (it == data.end()) return Status::Ok();
    if (o.etag == it->second.md5 || !IsPlainMd5(o.etag)) {
      cands.push_back({o.mtime_ns, o.key, ""});
    } else {
      elsewhere(o.key, it->second);
    }
    data.erase(it);
    return Status::Ok();
  }));
  for (const auto& [key, need] : data) elsewhere(key, need);
  for (const auto& md5 : need_content)
    if (auto it = content.find(md5); it != content.end())
      cands.push_back({it->second, file_keys::ContentKey(md5), ""});
  return cands;
}

}  // namespace

Result<PointLock> NewestFilesPointLock(ObjectStore& store, int64_t now_s, size_t max_stats) {
  PointLock out;
  out.tier = "files";
  DREDGE_ASSIGN_OR_RETURN(auto snaps, ListSnapshots(store));
  if (snaps.empty()) return out;
  out.point = snaps.back().id;
  std::map<std::string, Need> data;  // data key → what the entry needs
  DREDGE_RETURN_IF_ERROR(ReadSnapshot(
      store, out.point,
      [&](const SnapshotEntry& e) {
        data[file_keys::DataKey(e.path)] = {e.md5, e.version_id};
        return Status::Ok();
      },
      nullptr));
  DREDGE_ASSIGN_OR_RETURN(Candidates cands, FilesCandidates(store, std::move(data)));
  DREDGE_RETURN_IF_ERROR(
      AskOldest(store, file_keys::SnapshotKey(out.point), std::move(cands), max_stats, now_s, out));
  return out;
}

Result<PointLock> NewestDbPointLock(ObjectStore& store, int64_t now_s, size_t max_stats) {
  PointLock out;
  out.tier = "db";
  DREDGE_ASSIGN_OR_RETURN(PrefixListing listing, ListPrefix(store));
  DREDGE_ASSIGN_OR_RETURN(auto newest, NewestManifest(store, listing));
  if (!newest) return out;
  out.point = newest->id;
  std::set<std::string> keys;  // chain links (older manifests) and every chunk they list
  for (const Manifest& table : newest->tables) {
    DREDGE_ASSIGN_OR_RETURN(auto chain, LoadChain(store, table));
    for (const Manifest& link : chain) {
      if (link.key != newest->key) keys.insert(link.key);
      for (const auto& c : link.chunks) keys.insert(c.key);
    }
  }
  Candidates cands;
  DREDGE_RETURN_IF_ERROR(store.List(dbkeys::kTierPrefix, [&](const ObjectInfo& o) {
    if (keys.count(o.key)) cands.push_back({o.mtime_ns, o.key, ""});
    return Status::Ok();
  }));
  DREDGE_RETURN_IF_ERROR(AskOldest(store, newest->key, std::move(cands), max_stats, now_s, out));
  return out;
}

}  // namespace dredge
