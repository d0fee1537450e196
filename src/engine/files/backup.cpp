#include "engine/files/backup.h"

#include <mutex>

#include "common/log.h"
#include "common/thread_pool.h"
#include "common/time_util.h"
#include "engine/files/backup_versions.h"
#include "engine/files/content_keeper.h"
#include "engine/files/planner.h"
#include "engine/files/prune.h"
#include "engine/files/snapshot_catalog.h"
#include "engine/files/uploader.h"
#include "formats/file_keys.h"
#include "formats/snapshot.h"

namespace dredge {
namespace {

constexpr const char* kRunIncomplete = "run_incomplete";
constexpr const char* kPruneSeen = "prune_seen";
// The snapshot this index's last completed run wrote: if the store no longer holds it, the
// store was wiped or replaced under the same URL and the index vouches for nothing.
constexpr const char* kLastSnapshot =
    "last_snapshot";  // the prune token this index is in step with
constexpr size_t kMaxFailureNames = 1000;

// The snapshot entry of an index row; a version id learnt from the store is kept in the index.
Result<SnapshotEntry> EntryOf(ObjectStore& store, StateIndex& index, const VersioningDecision& v,
                              IndexRow& r) {
  DREDGE_ASSIGN_OR_RETURN(std::string version_id, EntryVersionId(store, v, r));
  if (r.version_id.empty() && !version_id.empty()) {
    r.version_id = version_id;
    DREDGE_RETURN_IF_ERROR(index.Put(r));
  }
  return SnapshotEntry{r.path, r.size, r.mtime_ns, r.md5, std::move(version_id), r.retain_until};
}

Result<std::string> WriteSnapshot(ObjectStore& store, StateIndex& index, const BackupOptions& o,
                                  const VersioningDecision& v, int64_t started_ns,
                                  const BackupSummary& s) {
  // Names must sort in run order: two runs within one second get successive seconds.
  DREDGE_ASSIGN_OR_RETURN(auto existing, ListSnapshots(store));
  for (int attempt = 0;; ++attempt) {
    int64_t name_s = NowUnixNanos() / 1000000000LL;
    if (!existing.empty() && existing.back().time_s >= name_s) name_s = existing.back().time_s + 1;
    SnapshotHeader h;
    h.id = file_keys::NewSnapshotId(name_s);
    h.started_ns = started_ns;
    h.source = o.source;
    h.host = o.host;
    DREDGE_ASSIGN_OR_RETURN(auto w, SnapshotWriter::Create(o.tmp_dir, h));
    DREDGE_ASSIGN_OR_RETURN(auto cursor, index.OpenCursor(StateIndex::Table::kFiles));
    IndexRow r;
    uint64_t files = 0, bytes = 0;
    for (;;) {
      DREDGE_ASSIGN_OR_RETURN(bool more, cursor->Next(&r));
      if (!more) break;
      if (r.removed || !o.filter.Selects(r.path)) continue;
      DREDGE_ASSIGN_OR_RETURN(SnapshotEntry e, EntryOf(store, index, v, r));
      DREDGE_RETURN_IF_ERROR(w->Add(e));
      ++files;
      bytes += r.size;
    }
    cursor.reset();
    DREDGE_RETURN_IF_ERROR(w->Finish(NowUnixNanos(), {{"files", files},
                                                      {"bytes", bytes},
                                                      {"scanned", s.scanned},
                                                      {"uploaded", s.uploaded},
                                                      {"copied", s.copied},
                                                      {"skipped", s.skipped},
                                                      {"failed", s.failed},
                                                      {"removed", s.removed},
                                                      {"bytes_uploaded", s.bytes_uploaded}}));
    DREDGE_ASSIGN_OR_RETURN(auto src, FileSource::Open(w->temp_path()));
    PutOptions opts;
    opts.if_absent = true;
    opts.content_type = "application/json";
    auto put = store.Put(file_keys::SnapshotKey(h.id), *src, opts);
    if (put.ok()) return h.id;
    if (!put.status().Is(ErrorKind::kPreconditionFailed) || attempt >= 3)
      return put.status().WithContext("cannot write snapshot " + h.id);
  }
}

// Whether the index can be trusted or the store's listing must say what is stored: without an
// index, after a run that died, after a prune, or when the store lost the index's last snapshot.
struct ListingDecision {
  bool use_listing = false;
  std::string why;           // logged when the listing is used
  std::string incomplete;    // the index's run_incomplete mark
  std::string newest_prune;  // the store's prune token
};

Result<ListingDecision> DecideListing(ObjectStore& store, StateIndex& index) {
  ListingDecision d;
  DREDGE_ASSIGN_OR_RETURN(uint64_t rows, index.Count(StateIndex::Table::kFiles));
  DREDGE_ASSIGN_OR_RETURN(d.incomplete, index.GetMeta(kRunIncomplete));
  // A prune deletes objects behind the index's back: a prune token other than the one the index
  // last saw means the index may vouch for objects that are gone.
  DREDGE_ASSIGN_OR_RETURN(d.newest_prune, PruneToken(store));
  DREDGE_ASSIGN_OR_RETURN(std::string seen_prune, index.GetMeta(kPruneSeen));
  DREDGE_ASSIGN_OR_RETURN(std::string last_snapshot, index.GetMeta(kLastSnapshot));
  bool store_lost_runs = false;
  if (rows > 0 && !last_snapshot.empty()) {
    auto st = store.Stat(file_keys::SnapshotKey(last_snapshot));
    if (!st.ok() && !st.status().Is(ErrorKind::kNotFound)) return st.status();
    store_lost_runs = !st.ok();
  }
  d.use_listing = true;
  if (rows == 0)
    d.why = "no state index for " + store.Describe() +
            " yet: reading the store's listing to find what is already stored";
  else if (store_lost_runs)
    d.why = "the store no longer holds snapshot " + last_snapshot +
            ", which this state index last wrote (wiped or replaced?): reading the store's "
            "listing instead of trusting the index";
  else if (!d.incomplete.empty())
    d.why = "the previous run did not finish: reading the store's listing";
  else if (!d.newest_prune.empty() && d.newest_prune != seen_prune)
    d.why =
        "the destination was pruned since this state index last saw it: reading the store's "
        "listing";
  else
    d.use_listing = false;
  return d;
}

// Counts one item's outcome into the summary (called under the summary's lock).
void CountOutcome(const ItemOutcome& out, const WorkItem& w, BackupSummary& s) {
  switch (out.kind) {
    case ItemOutcome::Kind::kUploaded:
      ++s.uploaded;
      s.bytes_uploaded += w.size;
      break;
    case ItemOutcome::Kind::kCopied:
      ++s.copied;
      break;
    case ItemOutcome::Kind::kAlreadyStored:
      ++s.skipped;
      break;
    case ItemOutcome::Kind::kFailed:
      ++s.failed;
      log::Warn(out.error);
      if (s.failures.size() < kMaxFailureNames) s.failures.push_back(out.error);
      break;
  }
}

// Stores (or, dry, classifies) every work item with o.workers threads; the pool's queue is
// bounded, so items are read from the plan's file as workers free up.
Status ProcessWork(UploadContext& ctx, Plan& plan, const BackupOptions& o, BackupSummary& s) {
  std::mutex mu;
  const int workers = o.workers > 0 ? o.workers : 1;
  ThreadPool pool(workers, 2 * workers);
  Status feed = ForEachWorkItem(*plan.work, [&](WorkItem& item) {
    pool.Submit([&ctx, w = std::move(item), &s, &mu, &o] {
      ItemOutcome out = o.dry_run ? ClassifyItem(ctx, w) : ProcessItem(ctx, w);
      if (o.dry_run && out.kind == ItemOutcome::Kind::kUploaded)
        log::Debug("would upload: " + w.path);
      if (o.dry_run && out.kind == ItemOutcome::Kind::kCopied)
        log::Debug("would copy: " + w.path + " (its content is stored already)");
      if (o.progress) {
        o.progress->AddFiles(1);
        o.progress->AddBytes(w.size);
      }
      std::lock_guard lock(mu);
      CountOutcome(out, w, s);
    });
    return Status::Ok();
  });
  pool.Wait();
  return feed;
}

// After the uploads: the index learns what left the source, then the snapshot is written and
// the index marked in step with the store.
Status CommitRun(ObjectStore& store, StateIndex& index, const BackupOptions& o, Plan& plan,
                 const ListingDecision& d, const VersioningDecision& v, int64_t started_ns,
                 BackupSummary& s) {
  DREDGE_RETURN_IF_ERROR(
      ForEachPath(*plan.removed, [&](const std::string& p) { return index.MarkRemoved(p); }));
  DREDGE_RETURN_IF_ERROR(ForEachIndexRow(*plan.listed_only, [&](IndexRow& r) {
    r.removed = true;
    return index.Put(r);
  }));
  DREDGE_RETURN_IF_ERROR(index.Flush());
  DREDGE_ASSIGN_OR_RETURN(s.snapshot, WriteSnapshot(store, index, o, v, started_ns, s));
  DREDGE_RETURN_IF_ERROR(RememberVersioning(index, v));
  if (!d.newest_prune.empty()) DREDGE_RETURN_IF_ERROR(index.SetMeta(kPruneSeen, d.newest_prune));
  if (!s.snapshot.empty()) DREDGE_RETURN_IF_ERROR(index.SetMeta(kLastSnapshot, s.snapshot));
  return index.SetMeta(kRunIncomplete, "");
}

UploadContext MakeUploadContext(ObjectStore& store, StateIndex& index, const BackupOptions& o,
                                SyncedRecorder& recorder, ContentKeeper& keeper,
                                bool previous_run_died) {
  UploadContext ctx;
  ctx.store = &store;
  ctx.index = &index;
  ctx.recorder = &recorder;
  ctx.verify_listed_prev = previous_run_died;
  ctx.keeper = &keeper;
  ctx.source = o.source;
  ctx.md5_metadata_min_size = o.md5_metadata_min_size;
  ctx.dedup_min_size = o.dedup_min_size;
  ctx.progress = o.progress;
  return ctx;
}

}  // namespace

Result<BackupSummary> RunFilesBackup(ObjectStore& store, StateIndex& index,
                                     const BackupOptions& o) {
  const int64_t started_ns = NowUnixNanos();
  BackupSummary s;
  DREDGE_ASSIGN_OR_RETURN(ListingDecision d, DecideListing(store, index));
  DREDGE_ASSIGN_OR_RETURN(VersioningDecision v, DecideVersioning(store, index));
  s.versioning = VersioningName(v.state);
  s.versioning_warning = v.warning;
  if (!v.warning.empty()) log::Warn(v.warning);
  if (d.use_listing) {
    log::Info(d.why);
    DREDGE_RETURN_IF_ERROR(LoadListing(store, index));
  }
  DREDGE_ASSIGN_OR_RETURN(Plan plan,
                          BuildPlan(index, o.source, o.filter, d.use_listing, o.tmp_dir));
  s.scanned = plan.scanned;
  s.scanned_bytes = plan.scanned_bytes;
  s.skipped = plan.unchanged;
  s.removed = plan.removed->count();
  s.used_listing = d.use_listing;
  s.failed = plan.walk_errors;
  for (const auto& n : plan.walk_error_names) s.failures.push_back("cannot read " + n);
  if (!o.force) {
    DREDGE_ASSIGN_OR_RETURN(
        GuardResult g, EvaluateDamageGuard(plan, o.source, o.max_change_pct, o.workers, o.tmp_dir));
    if (g.tripped) return Status::PreconditionFailed(g.message);
  }
  // A dry run hashes the candidates to say what it would do (ClassifyItem) and writes nothing:
  // no object, no index row, no snapshot, no record.
  if (!o.dry_run) DREDGE_RETURN_IF_ERROR(index.SetMeta(kRunIncomplete, "1"));
  if (o.progress) {
    o.progress->SetTotals(plan.work->count(), plan.work_bytes);
    o.progress->Start();
  }
  ContentKeeper keeper(store, &index);
  SyncedRecorder recorder(store, index, o.sync_batch_files, o.sync_batch_ms * 1000000LL);
  UploadContext ctx = MakeUploadContext(store, index, o, recorder, keeper, !d.incomplete.empty());
  ctx.versioned = v.versioned;
  ctx.retain_seconds = o.retain_seconds;
  Status feed = ProcessWork(ctx, plan, o, s);
  if (o.progress) o.progress->Stop();
  DREDGE_RETURN_IF_ERROR(recorder.Finish());  // before anything that names the objects
  DREDGE_RETURN_IF_ERROR(feed);
  if (o.dry_run) {
    DREDGE_RETURN_IF_ERROR(ForEachPath(*plan.removed, [](const std::string& p) {
      log::Debug("removed from the source (its object stays): " + p);
      return Status::Ok();
    }));
    return s;
  }
  s.preserved = keeper.preserved();
  DREDGE_RETURN_IF_ERROR(CommitRun(store, index, o, plan, d, v, started_ns, s));
  return s;
}

}  // namespace dredge
