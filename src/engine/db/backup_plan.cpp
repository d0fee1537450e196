#include "engine/db/backup_plan.h"

#include <algorithm>

#include "common/decimal.h"
#include "common/time_util.h"
#include "formats/db_keys.h"

namespace dredge {
namespace {

// The chunk columns (names and types, in order) and the key columns are the same: chunks of
// the previous chain can be merged with this run's.
bool SameColumns(const TableSchema& a, const TableSchema& b) {
  auto x = a.ChunkColumns(), y = b.ChunkColumns();
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (x[i].name != y[i].name || x[i].type != y[i].type) return false;
  return a.pk_columns == b.pk_columns;
}

// The members every table entry of this run shares.
Manifest RunMembers(const DbBackupInputs& in) {
  const DbSnapshotFacts& snap = in.snapshot;
  Manifest m;
  m.tool = std::string("dredge ") + DREDGE_VERSION;
  m.started_at = FormatIsoUtc(in.start_secs);
  m.run = FormatCompactUtc(in.start_secs);
  m.database = snap.database;
  m.server_version = snap.server_version;
  m.system_identifier = snap.system_identifier;
  m.snapshot_at = snap.at;
  m.snapshot = snap.text;
  m.horizon = snap.xmin;
  if (in.prev) m.previous = in.prev->key;
  m.encryption_key_id = in.options.encryption_key_id;
  return m;
}

PlannedTable PlanTable(const DbBackupInputs& in, const TableRef& ref, const TableSchema& schema) {
  PlannedTable t;
  t.ref = ref;
  t.schema = schema;
  t.table = schema.QualifiedName();
  const Manifest* prev_entry = in.prev ? in.prev->Find(t.table) : nullptr;
  t.full_reason = FullReason(in.prev, prev_entry, schema, ref.oid, in.snapshot);
  t.mode = t.full_reason.empty() ? "incremental" : "full";
  if (t.mode == "incremental") t.after = in.prev->horizon;
  if (prev_entry) t.prev_max_key = prev_entry->max_key;
  return t;
}

// One second past the previous manifest's name (0 without one).
int64_t ManifestFloor(const std::optional<RunManifest>& prev) {
  if (!prev) return 0;
  auto stamp = dbkeys::ManifestStamp(prev->key);
  if (!stamp) return 0;
  auto secs = ParseCompactUtc(*stamp);
  return secs.ok() ? *secs + 1 : 0;
}

// FitsVersion1 decides on what the plan already knows: the number of tables and their schemas.
int64_t ManifestVersion(const std::vector<PlannedTable>& tables) {
  std::vector<Manifest> entries(tables.size());
  for (size_t i = 0; i < tables.size(); ++i) entries[i].schema = tables[i].schema;
  return FitsVersion1(entries) ? 1 : 2;
}

}  // namespace

std::string FullReason(const std::optional<RunManifest>& prev, const Manifest* prev_entry,
                       const TableSchema& schema, int64_t table_oid, const DbSnapshotFacts& snap) {
  if (schema.Keyless()) return "no key";
  if (!prev) return "first run";
  if (!prev_entry) return "table added";
  if (prev_entry->table_oid != table_oid) return "table replaced";
  if (prev_entry->system_identifier && snap.system_identifier &&
      *prev_entry->system_identifier != *snap.system_identifier)
    return "cluster changed";
  if (DecimalOrZero(snap.xmax) < DecimalOrZero(prev_entry->horizon)) return "cluster changed";
  if (!SameColumns(prev_entry->schema, schema)) return "schema changed";
  return "";
}

DbBackupPlan PlanDbBackup(const DbBackupInputs& in) {
  DbBackupPlan plan;
  const auto& refs = in.tables.tables;
  for (size_t i = 0; i < refs.size(); ++i)
    plan.tables.push_back(PlanTable(in, refs[i], in.schemas[i]));
  plan.not_backed_up = in.tables.not_backed_up;
  plan.first_chunk_number = in.max_chunk_number + 1;
  plan.connections = PlanExport(refs.size(), in.options.workers);
  plan.manifest_version = ManifestVersion(plan.tables);
  plan.members = RunMembers(in);
  plan.members.version = plan.manifest_version;
  plan.manifest_floor_secs = ManifestFloor(in.prev);
  plan.snapshot = in.snapshot;
  plan.options = in.options;
  plan.start_secs = in.start_secs;
  return plan;
}

std::string DbBackupPlan::mode() const {
  for (const auto& t : tables)
    if (t.mode != "full") return "incremental";
  return "full";
}

std::string DbBackupPlan::ManifestKeyAt(int64_t now_secs) const {
  return dbkeys::ManifestKey(std::max(now_secs, manifest_floor_secs));
}

}  // namespace dredge
