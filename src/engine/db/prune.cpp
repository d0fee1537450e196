#include "engine/db/prune.h"

#include "common/log.h"
#include "common/time_util.h"
#include "formats/db_keys.h"

namespace dredge {
namespace {

// Removes one step's targets in order; the first failure stops the prune (the next finishes).
Status RemoveAll(ObjectStore& store, const std::vector<PruneTarget>& targets, Progress* progress) {
  for (const auto& t : targets) {
    Status st =
        t.version_id.empty() ? store.Remove(t.key) : RemoveVersion(store, t.key, t.version_id);
    if (progress) progress->AddFiles(1);
    DREDGE_RETURN_IF_ERROR(
        st.WithContext("cannot remove " + t.kind + " " + t.key +
                       (t.version_id.empty() ? "" : " (version " + t.version_id + ")")));
  }
  return Status::Ok();
}

// Retired copies of every chain link, listing only the chunks still needed: written before any
// original goes, so a kept chain never loses a link.
Status WriteRetiredCopies(ObjectStore& store, const DbPrunePlan& plan) {
  for (const RunManifest& copy : plan.retired_copies) {
    std::string rkey = dbkeys::RetiredKey(copy.key);
    PutOptions po;
    po.content_type = "application/json";
    auto put = PutString(store, rkey, RunManifestToJson(copy), po);
    if (!put.ok()) return put.status().WithContext("cannot write retired manifest " + rkey);
  }
  return Status::Ok();
}

}  // namespace

DbPruneReport ReportOfPlan(const DbPrunePlan& plan, bool dry_run) {
  DbPruneReport r;
  r.kept = plan.kept;
  r.retired = plan.retired;
  r.deleted_manifests = plan.deleted_manifests;
  r.deleted_chunks = plan.deleted_chunks;
  r.deleted_chunk_bytes = plan.deleted_chunk_bytes;
  r.debris_chunks = plan.debris_chunks;
  r.locked_manifests = plan.locked_ids;
  r.locked = plan.Locks();
  r.dry_run = dry_run;
  return r;
}

Result<DbPruneReport> ExecuteDbPrune(ObjectStore& store, const DbPrunePlan& plan,
                                     Progress* progress) {
  DbPruneReport report = ReportOfPlan(plan, false);
  DREDGE_RETURN_IF_ERROR(WriteRetiredCopies(store, plan));
  if (progress) {
    progress->SetUnit("objects");
    progress->SetTotals(plan.manifests.remove.size() + plan.chunks.remove.size(), 0);
    progress->Start();
  }
  // Manifests first, chunks last: until then every manifest still finds all of its chunks.
  Status st = RemoveAll(store, plan.manifests.remove, progress);
  if (st.ok()) st = RemoveAll(store, plan.chunks.remove, progress);
  if (progress) progress->Stop();
  DREDGE_RETURN_IF_ERROR(st);
  if (!plan.kept.empty())
    log::Info("prune db: kept " + std::to_string(report.kept.size()) + " manifests, retired " +
              std::to_string(report.retired.size()) + ", removed " +
              std::to_string(report.deleted_manifests.size()) + " manifests and " +
              std::to_string(report.deleted_chunks.size()) + " chunks (" +
              std::to_string(report.deleted_chunk_bytes) + " bytes)");
  return report;
}

Result<DbPruneReport> PruneDb(ObjectStore& store, const DbKeepPolicy& keep, bool dry_run,
                              Progress* progress, int64_t now_s) {
  if (now_s == 0) now_s = NowUnixNanos() / 1000000000LL;
  DREDGE_ASSIGN_OR_RETURN(DbPrunePlan plan, PlanDbPrune(store, keep, now_s));
  if (dry_run) return ReportOfPlan(plan, true);
  return ExecuteDbPrune(store, plan, progress);
}

}  // namespace dredge
