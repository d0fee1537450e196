#include "commands/prune_tiers.h"

#include <unistd.h>

#include "common/log.h"
#include "common/plural.h"
#include "common/progress.h"
#include "common/time_util.h"
#include "engine/db/prune.h"
#include "engine/files/prune.h"
#include "ops/lock.h"
#include "ops/run_identity.h"
#include "ops/upload_cleanup.h"

namespace dredge {
namespace {

constexpr size_t kMaxJsonKeys = 100000;

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// A prune deleting objects while a backup of the same destination runs could take what the
// backup relies on: a real prune holds the tier's run lock (local flock + store lease), so the
// two never overlap. A dry run only reads and takes none. Once locked, the incomplete uploads
// no live run owns are aborted (ops/upload_cleanup.h).
struct TierLock {
  std::unique_ptr<RunLock> lock;
  uint64_t uploads_aborted = 0;
};

Result<TierLock> LockTier(const std::shared_ptr<ObjectStore>& store, const std::string& tier,
                          const TierPruneRequest& req) {
  TierLock out;
  if (req.dry_run) return out;
  RunIdentity me = NewRunIdentity();
  RunLockOptions lo;
  lo.tier = tier;
  DREDGE_ASSIGN_OR_RETURN(out.lock, RunLock::Acquire(store, me, lo));
  UploadCleanupOptions uo;
  uo.older_than = req.abort_incomplete_after;
  out.uploads_aborted = AbortOrphanedUploads(*store, me, uo).aborted;
  return out;
}

void Release(std::unique_ptr<RunLock>& lock) {
  if (!lock) return;
  if (Status st = lock->Release(); !st.ok())
    log::Warn("cannot release the run lock: " + st.message());
}

TierPruneOutcome Failed(const std::string& tier, const std::string& dest, Status st) {
  log::Error("prune " + tier + " of " + dest + ": " + st.message());
  return {std::move(st), {{"error", st.message()}}};
}

// Collects the keys a prune deletes (or would) for the JSON output, bounded.
struct KeyLog {
  nlohmann::json keys = nlohmann::json::array();
  bool truncated = false;
  void Add(const std::string& key) {
    if (keys.size() < kMaxJsonKeys) {
      keys.push_back(key);
    } else {
      truncated = true;
    }
  }
};

// The Object Lock part of a tier's report: the line (none when nothing is locked) and JSON.
nlohmann::json LockedJson(const LockSummary& l) {
  nlohmann::json j = {{"objects", l.objects}, {"bytes", l.bytes}};
  if (l.objects > 0) {
    j["earliest_retain_until"] = FormatIsoUtc(l.earliest);
    j["latest_retain_until"] = FormatIsoUtc(l.latest);
  }
  return j;
}

void LogLocked(const LockSummary& l) {
  if (std::string line = LockLine(l); !line.empty()) log::Info(line);
}

nlohmann::json KeptJson(const std::vector<RetentionDecision::Kept>& kept) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& k : kept)
    out.push_back({{"id", k.id}, {"time", FormatIsoUtc(k.time_s)}, {"reasons", k.reasons}});
  return out;
}

// The files tier's report, the same for a dry run (the plan) and a run (what was done).
void LogFilesReport(const PruneSummary& s, bool dry_run) {
  const char* gone = dry_run ? "would remove " : "remove  ";
  for (const auto& k : s.kept) log::Info("keep    " + k.id + "  (" + Join(k.reasons) + ")");
  for (const auto& id : s.removed_snapshots) log::Info(gone + id);
  for (const auto& id : s.forced_retiring)
    log::Info(gone + id + "  (an earlier prune had begun retiring it)");
  log::Info(std::string(dry_run ? "would delete " : "deleted ") +
            Plural(s.objects_removed(), "object") + " (" + std::to_string(s.data_objects_removed) +
            " data of removed or replaced files, " + std::to_string(s.content_objects_removed) +
            " preserved content" +
            (s.noncurrent_versions_removed
                 ? ", " + std::to_string(s.noncurrent_versions_removed) + " noncurrent versions"
                 : std::string()) +
            "), " + HumanBytes(s.bytes_freed) + "; kept " + Plural(s.kept.size(), "snapshot") +
            ", " + (dry_run ? "would remove " : "removed ") +
            Plural(s.removed_snapshots.size() + s.forced_retiring.size(), "snapshot"));
  LogLocked(s.locked);
}

}  // namespace

TierPruneOutcome PruneFilesTier(const std::shared_ptr<ObjectStore>& store,
                                const TierPruneRequest& req) {
  const std::string dest = store->Describe();
  auto lock = LockTier(store, "files", req);
  if (!lock.ok()) return Failed("files", dest, lock.status());
  PruneOptions o;
  o.policy = req.policy;
  o.dry_run = req.dry_run;
  o.workers = req.workers;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) o.host = host;
  KeyLog deleted;
  o.on_remove = [&](const PruneTarget& t) {
    std::string what =
        t.kind + " " + t.key + (t.version_id.empty() ? "" : " (version " + t.version_id + ")");
    if (req.dry_run) {
      log::Info("would delete " + what + (t.size ? " (" + HumanBytes(t.size) + ")" : ""));
    } else {
      log::Debug("deleted " + what);
    }
    if (req.json) deleted.Add(t.version_id.empty() ? t.key : t.key + "?versionId=" + t.version_id);
  };
  log::Info(std::string(req.dry_run ? "dry run: " : "") + "pruning files snapshots of " + dest);
  Progress progress("prune", req.quiet ? Progress::Mode::kOff : Progress::Mode::kAuto);
  if (!req.dry_run) o.progress = &progress;
  auto r = PruneFiles(*store, o);
  Release(lock->lock);
  if (!r.ok()) return Failed("files", dest, r.status());
  const PruneSummary& s = *r;
  LogFilesReport(s, req.dry_run);
  nlohmann::json removed = s.removed_snapshots;
  for (const auto& id : s.forced_retiring) removed.push_back(id);
  TierPruneOutcome out;
  out.json = {{"snapshots_kept", s.kept.size()},
              {"snapshots_removed", removed.size()},
              {"kept", KeptJson(s.kept)},
              {"removed", removed},
              {"objects_removed", s.objects_removed()},
              {"data_objects_removed", s.data_objects_removed},
              {"content_objects_removed", s.content_objects_removed},
              {"noncurrent_versions_removed", s.noncurrent_versions_removed},
              {"locked", LockedJson(s.locked)},
              {"bytes_freed", s.bytes_freed},
              {"failed", s.failed},
              {"failures", s.failures},
              {"unresolved_kept_entries", s.unresolved_kept_entries},
              {"record", s.record},
              {req.dry_run ? "would_delete" : "deleted", deleted.keys},
              {"keys_truncated", deleted.truncated},
              {"incomplete_uploads_aborted", lock->uploads_aborted}};
  if (s.failed > 0) {
    out.status =
        Status(ErrorKind::kPartial,
               std::to_string(s.failed) +
                   " deletions failed (named above); no snapshot was removed, rerun prune");
    log::Error("prune files of " + dest + ": " + out.status.message());
  }
  return out;
}

TierPruneOutcome PruneDbTier(const std::shared_ptr<ObjectStore>& store,
                             const TierPruneRequest& req) {
  const std::string dest = store->Describe();
  auto lock = LockTier(store, "db", req);
  if (!lock.ok()) return Failed("db", dest, lock.status());
  log::Info(std::string(req.dry_run ? "dry run: " : "") + "pruning db manifests of " + dest);
  std::vector<RetentionDecision::Kept> kept;
  Progress progress("prune db", req.quiet ? Progress::Mode::kOff : Progress::Mode::kAuto);
  auto r = PruneDb(*store, KeepByRetention(req.policy, &kept), req.dry_run,
                   req.dry_run ? nullptr : &progress);
  Release(lock->lock);
  if (!r.ok()) return Failed("db", dest, r.status());
  const DbPruneReport& s = *r;
  if (s.kept.empty()) log::Info("no manifests in " + dest + ": nothing to prune");
  for (const auto& k : kept) log::Info("keep    " + k.id + "  (" + Join(k.reasons) + ")");
  const char* gone = req.dry_run ? "would remove " : "remove  ";
  for (const auto& id : s.deleted_manifests) log::Info(gone + id);
  for (const auto& id : s.retired)
    log::Info(gone + id + "  (its chunks still needed by a kept manifest go to retired/)");
  for (const auto& key : s.deleted_chunks)
    log::Debug(std::string(req.dry_run ? "would delete " : "deleted ") + key);
  log::Info(std::string(req.dry_run ? "would delete " : "deleted ") +
            Plural(s.deleted_chunks.size(), "chunk") + " (" + std::to_string(s.debris_chunks) +
            " left by aborted runs), " + HumanBytes(s.deleted_chunk_bytes) + "; kept " +
            Plural(s.kept.size(), "manifest") + ", " +
            (req.dry_run ? "would remove " : "removed ") +
            Plural(s.deleted_manifests.size() + s.retired.size(), "manifest"));
  for (const auto& id : s.locked_manifests)
    log::Info("keep    " + id + "  (the policy drops it, but Object Lock holds it)");
  LogLocked(s.locked);
  KeyLog chunks;
  if (req.json)
    for (const auto& key : s.deleted_chunks) chunks.Add(key);
  TierPruneOutcome out;
  out.json = {{"manifests_kept", s.kept.size()},
              {"manifests_removed", s.deleted_manifests.size() + s.retired.size()},
              {"kept", KeptJson(kept)},
              {"removed", s.deleted_manifests},
              {"retired", s.retired},
              {"chunks_removed", s.deleted_chunks.size()},
              {"debris_chunks", s.debris_chunks},
              {"locked_manifests", s.locked_manifests},
              {"locked", LockedJson(s.locked)},
              {"bytes_freed", s.deleted_chunk_bytes},
              {req.dry_run ? "would_delete" : "deleted", chunks.keys},
              {"keys_truncated", chunks.truncated},
              {"incomplete_uploads_aborted", lock->uploads_aborted}};
  return out;
}

}  // namespace dredge
