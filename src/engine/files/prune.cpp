#include "engine/files/prune.h"

#include "common/log.h"
#include "common/plural.h"
#include "common/time_util.h"
#include "engine/files/prune_record.h"
#include "formats/file_keys.h"

namespace dredge {
namespace {

// What the plan decided, before anything is removed.
PruneSummary PlannedSummary(const FilesPrunePlan& plan) {
  PruneSummary s;
  s.kept = plan.kept;
  s.removed_snapshots = plan.removed_snapshots;
  s.forced_retiring = plan.forced_retiring;
  s.unresolved_kept_entries = plan.unresolved_kept_entries;
  s.locked = plan.Locks();
  return s;
}

void Count(PruneSummary& s, const PruneTarget& t) {
  if (t.kind == "data") ++s.data_objects_removed;
  if (t.kind == "content") ++s.content_objects_removed;
  if (t.kind == "noncurrent") ++s.noncurrent_versions_removed;
  if (t.kind == "data" || t.kind == "content" || t.kind == "noncurrent") s.bytes_freed += t.size;
}

// One step of the executor: removes `targets`, counting into `s`; false when any failed.
bool RemoveStep(ObjectStore& store, const std::vector<PruneTarget>& targets, int workers,
                const PruneOptions& o, PruneSummary& s) {
  RemovalResult r = ExecuteRemovals(store, targets, workers, [&](const PruneTarget& t) {
    Count(s, t);
    if (o.on_remove) o.on_remove(t);
    if (o.progress && t.kind != "snapshot" && t.kind != "record") {
      o.progress->AddFiles(1);
      o.progress->AddBytes(t.size);
    }
  });
  s.failed += r.failed;
  for (auto& f : r.failures) s.failures.push_back(std::move(f));
  return r.failed == 0;
}

// The record naming the retiring snapshots, then the marker backups check: before the first
// deletion, so from here on every backup rereads the listing.
Status Announce(ObjectStore& store, const FilesPrunePlan& plan, const PruneOptions& o,
                PruneSummary& s) {
  PruneRecordCounts planned{plan.Count("data"), plan.Count("content"), plan.Bytes()};
  DREDGE_ASSIGN_OR_RETURN(
      s.record, WritePruneRecord(store, plan.policy, o.host, plan.existing_records, plan.Retiring(),
                                 planned));
  if (auto m = PutString(store, file_keys::PruneMarkerKey(), s.record + "\n"); !m.ok())
    return m.status().WithContext("cannot write " + file_keys::PruneMarkerKey() +
                                  "; nothing was deleted");
  log::Info("prune " + s.record + ": retiring " + Plural(plan.Retiring().size(), "snapshot") +
            ", deleting " + Plural(plan.objects.remove.size(), "object"));
  return Status::Ok();
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

PruneSummary DryRunSummary(const FilesPrunePlan& plan, const PruneOptions& o) {
  PruneSummary s = PlannedSummary(plan);
  for (const auto& t : plan.objects.remove) {
    Count(s, t);
    if (o.on_remove) o.on_remove(t);
  }
  if (o.on_remove)
    for (const auto& t : plan.snapshots.remove) o.on_remove(t);
  return s;
}

Result<PruneSummary> ExecuteFilesPrune(ObjectStore& store, const FilesPrunePlan& plan,
                                       const PruneOptions& o) {
  PruneSummary s = PlannedSummary(plan);
  // Nothing to delete: no record either (a record sends every backup to the listing once).
  if (plan.no_snapshots || plan.Empty()) return s;
  DREDGE_RETURN_IF_ERROR(Announce(store, plan, o, s));
  if (o.progress) {
    o.progress->SetUnit("objects");
    o.progress->SetTotals(plan.objects.remove.size(), plan.Bytes());
    o.progress->Start();
  }
  bool ok = RemoveStep(store, plan.objects.remove, o.workers, o, s);
  if (o.progress) o.progress->Stop();
  if (!ok) {
    log::Warn("some objects could not be deleted: the " +
              Plural(plan.Retiring().size(), "retiring snapshot") +
              " stay (named in prune record " + s.record + ") and the next prune retires them");
    return s;
  }
  // Snapshots last: until here every retiring snapshot still lists what it referenced.
  if (!RemoveStep(store, plan.snapshots.remove, 1, o, s)) return s;
  // Every snapshot older records named is gone now; only this run's record matters to backups.
  RemoveStep(store, plan.records.remove, 1, o, s);
  return s;
}

Result<PruneSummary> PruneFiles(ObjectStore& store, const PruneOptions& o) {
  int64_t now_s = o.now_s ? o.now_s : NowUnixNanos() / 1000000000LL;
  DREDGE_ASSIGN_OR_RETURN(FilesPrunePlan plan, PlanFilesPrune(store, o.policy, now_s));
  if (plan.no_snapshots) log::Info("no snapshots in " + store.Describe() + ": nothing to prune");
  if (o.dry_run) return DryRunSummary(plan, o);
  return ExecuteFilesPrune(store, plan, o);
}

}  // namespace dredge
