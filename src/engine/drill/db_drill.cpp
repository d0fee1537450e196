#include "engine/drill/db_drill.h"

#include <charconv>

#include "common/log.h"
#include "engine/db/manifest_select.h"
#include "engine/db/manifest_store.h"
#include "engine/db/restorer.h"
#include "engine/drill/sample.h"

namespace dredge {
namespace {

using Outcome = DrillCheck::Outcome;

std::string FirstOf(const std::vector<RowProblem>& problems) {
  if (problems.empty()) return "";
  return "; key " + problems.front().key + ": " + problems.front().error +
         (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)"
                              : std::string());
}

// Decimal text → number; nullopt for anything else (never throws, unlike std::stoll).
std::optional<int64_t> ToInt64(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Refuses a scratch database the role cannot create a schema in (see the header).
Status CheckCanCreate(PgConn& c, bool is_source) {
  DREDGE_ASSIGN_OR_RETURN(PgRows r, c.Query("SELECT has_database_privilege(current_database(), "
                                            "'CREATE'), current_user, current_database()"));
  if (r.str(0, 0) == "t") return Status::Ok();
  return Status::Usage(
      "role " + r.str(0, 1) + " cannot CREATE in database " + r.str(0, 2) +
      ", so the drill has nowhere to put its scratch schema: " +
      (is_source ? "give --scratch-db CONNINFO naming a database where it may create schemas "
                   "(e.g. a scratch database on the same server), or "
                 : "give --scratch-db a database where it may create schemas, or ") +
      "GRANT CREATE ON DATABASE " + r.str(0, 2) + " TO " + r.str(0, 1));
}

// Whether the live table's xmins can be judged against the manifest's horizon
// (docs/db-horizon.md, "When the cursor cannot be trusted"); `why` says why not.
Result<bool> HorizonValid(PgConn& source, const Manifest& m, const std::string& quoted,
                          std::string* why) {
  DREDGE_ASSIGN_OR_RETURN(PgRows r,
                          source.Query("SELECT to_regclass($1)::oid::text, "
                                       "pg_snapshot_xmax(pg_current_snapshot())::text, "
                                       "has_function_privilege('pg_control_system()', 'EXECUTE')",
                                       {quoted}));
  if (!r.at(0, 0)) return Status::NotFound("table " + quoted + " does not exist in the source");
  if (ToInt64(r.str(0, 0)) != m.table_oid) {
    *why = "the live table is not the one backed up (another oid: replaced or restored since)";
    return false;
  }
  if (r.str(0, 2) == "t" && m.system_identifier) {
    DREDGE_ASSIGN_OR_RETURN(
        PgRows id, source.Query("SELECT system_identifier::text FROM pg_control_system()"));
    if (id.str(0, 0) != *m.system_identifier) {
      *why = "the live table is in another cluster than the one backed up";
      return false;
    }
  }
  auto xmax = ToInt64(r.str(0, 1)), horizon = ToInt64(m.horizon);
  if (!xmax || !horizon) {
    *why = "the manifest's horizon '" + m.horizon + "' is not a transaction id";
    return false;
  }
  if (*xmax < *horizon) {
    *why = "the server's transaction counter is below the backup's horizon (another cluster)";
    return false;
  }
  return true;
}

// The scratch database: --scratch-db, else the source's.
PgOptions ScratchPg(const DbDrillOptions& o) {
  return o.scratch.value_or(o.source);
}

// Restores the table into the scratch schema and checks the row count against the manifest.
Status RestoreIntoScratch(ObjectStore& store, const DbDrillOptions& o, const DbDrillPlan& plan,
                          const DbDrillTable& t, PgConn& scratch, DbDrillReport& r) {
  const Manifest& m = t.entry;
  DbRestoreOptions ro;
  ro.pg = ScratchPg(o);
  ro.into = t.into;
  ro.tables = {m.table};
  ro.point.manifest = m.key;
  ro.workers = o.workers;
  ro.progress = o.progress;
  r.scratch_table =
      scratch.QuoteIdent(plan.scratch_schema) + "." + scratch.QuoteIdent(m.schema.table);
  r.live_keys = t.expected_rows;
  auto restored = RunDbRestore(store, ro);
  if (!restored.ok()) {
    r.checks.push_back(
        {"db restore", Outcome::kFail,
         "manifest " + m.key + " into " + r.scratch_table + ": " + restored.status().message()});
    return restored.status();
  }
  r.rows = restored->rows;
  DREDGE_ASSIGN_OR_RETURN(PgRows count, scratch.Query("SELECT count(*) FROM " + r.scratch_table));
  const std::string counted = count.str(0, 0);
  if (r.rows != r.live_keys || counted != std::to_string(r.live_keys)) {
    std::string msg = "restored " + std::to_string(r.rows) + " rows (count(*) " + counted +
                      ") from " + m.key + ", but the manifest lists " +
                      std::to_string(r.live_keys) + " live keys";
    r.checks.push_back({"db restore", Outcome::kFail, msg});
    return Status(ErrorKind::kMismatch, msg);
  }
  r.checks.push_back({"db restore", Outcome::kPass,
                      std::to_string(r.rows) + " rows from " + m.key + " into " + r.scratch_table +
                          " (" + std::to_string(restored->chunks_read) +
                          " chunks, sha256 checked) = the manifest's live keys"});
  return Status::Ok();
}

// What CompareRows compares: the key columns with their types, the chunk's columns.
Result<RowCompareSpec> MakeCompareSpec(PgConn& source, const DbDrillPlan& plan, const Manifest& m,
                                       const DbDrillReport& r) {
  RowCompareSpec spec;
  spec.source_table = QuoteQualified(source, r.source_table);
  spec.copy_table = r.scratch_table;
  spec.key_columns = m.schema.pk_columns;
  for (const auto& k : spec.key_columns)
    for (const auto& c : m.schema.columns)
      if (c.name == k) spec.key_types.push_back(c.type);
  if (spec.key_types.size() != spec.key_columns.size())
    return Status::Corrupt("manifest " + m.key + " names a key column its schema lacks");
  for (const auto& c : m.schema.ChunkColumns()) spec.columns.push_back(c.name);
  spec.horizon = m.horizon;
  spec.sample_rows = plan.sample_rows;
  spec.seed = plan.seed;
  return spec;
}

// Compares a sample of the restored rows with the live table (keyless tables: count only).
Status CheckAgainstSource(const DbDrillOptions& o, const DbDrillPlan& plan, const DbDrillTable& t,
                          PgConn& scratch, DbDrillReport& r) {
  const Manifest& m = t.entry;
  DREDGE_ASSIGN_OR_RETURN(auto source, PgConn::Connect(o.source));
  r.source_table = t.compare_with;
  if (t.keyless) {
    r.checks.push_back({"db source", Outcome::kSkip,
                        r.source_table + " has no key: its rows are checked by count only"});
    return Status::Ok();
  }
  DREDGE_ASSIGN_OR_RETURN(RowCompareSpec spec, MakeCompareSpec(*source, plan, m, r));
  std::string why;
  DREDGE_ASSIGN_OR_RETURN(spec.horizon_valid, HorizonValid(*source, m, spec.source_table, &why));
  if (o.progress) {  // the restore's phase has ended; this one counts the rows compared
    o.progress->SetUnit("rows");
    o.progress->SetTotals(0, 0);
    o.progress->Restart("drill db: rows compared");
    spec.progress = o.progress;
  }
  auto compared = CompareRows(scratch, *source, spec);
  if (o.progress) o.progress->Stop();
  DREDGE_ASSIGN_OR_RETURN(r.rows_compared, std::move(compared));
  const RowCompareResult& c = r.rows_compared;
  std::string detail = std::to_string(c.equal) + "/" + std::to_string(c.compared) +
                       " sampled rows equal to " + r.source_table + ", " +
                       std::to_string(c.changed.size()) + " changed since the backup";
  if (spec.horizon_valid)
    detail += "; " + std::to_string(c.source_sampled) +
              " sampled live rows older than the backup looked up in the copy";
  else
    detail += "; " + why + ", so differences cannot be judged";
  if (!c.mismatched.empty()) {
    r.checks.push_back({"db source", Outcome::kFail, detail + FirstOf(c.mismatched)});
    return Status(ErrorKind::kMismatch, std::to_string(c.mismatched.size()) +
                                            " row(s) differ from the source" +
                                            FirstOf(c.mismatched));
  }
  r.checks.push_back({"db source",
                      spec.horizon_valid || c.equal == c.compared ? Outcome::kPass : Outcome::kSkip,
                      detail});
  return Status::Ok();
}

Status RestoreAndCheck(ObjectStore& store, const DbDrillOptions& o, const DbDrillPlan& plan,
                       const DbDrillTable& t, PgConn& scratch, DbDrillReport& r) {
  DREDGE_RETURN_IF_ERROR(RestoreIntoScratch(store, o, plan, t, scratch, r));
  return CheckAgainstSource(o, plan, t, scratch, r);
}

Status DropSchema(PgConn& conn, const PgOptions& pg, const std::string& quoted) {
  // Without this the server's "drop cascades to table …" NOTICE reaches stderr.
  const std::string sql =
      "SET client_min_messages = warning; DROP SCHEMA IF EXISTS " + quoted + " CASCADE";
  Status st = conn.Exec(sql);
  if (st.ok()) return st;
  // The scratch connection may be what failed; one fresh connection gets a second chance.
  auto fresh = PgConn::Connect(pg);
  if (!fresh.ok()) return st;
  return (*fresh)->Exec(sql);
}

// The chosen manifest: --manifest/--as-of, else the newest.
Result<RunManifest> ChooseDrillManifest(ObjectStore& store, const DbDrillOptions& o) {
  DREDGE_ASSIGN_OR_RETURN(PrefixListing listing, ListPrefix(store));
  if (!o.point.manifest.empty() || o.point.as_of_unix_nanos) {  // --manifest / --as-of
    DREDGE_ASSIGN_OR_RETURN(std::string key, ChooseManifestKey(listing, o.point, store.Describe()));
    return LoadManifest(store, key);
  }
  DREDGE_ASSIGN_OR_RETURN(std::optional<RunManifest> newest, NewestManifest(store, listing));
  if (newest) return std::move(*newest);
  return Status::NotFound(listing.manifest_keys.empty()
                              ? "no database backup in " + store.Describe() +
                                    " (run 'dredge backup db' first)"
                              : store.Describe() +
                                    " holds only StoryDredge legacy manifests; a drill needs a "
                                    "dredge manifest (run 'dredge backup db' first)");
}

// Creates the plan's scratch schema in the scratch database.
Status CreateScratchSchema(PgConn& scratch, const DbDrillPlan& plan) {
  DREDGE_RETURN_IF_ERROR(CheckCanCreate(scratch, plan.scratch_is_source));
  Status st = scratch.Exec("CREATE SCHEMA " + scratch.QuoteIdent(plan.scratch_schema));
  if (!st.ok()) return st.WithContext("cannot create the scratch schema " + plan.scratch_schema);
  return Status::Ok();
}

void DropScratchSchema(PgConn& scratch, const PgOptions& pg, const std::string& schema,
                       DbDrillReport& r) {
  const std::string quoted = scratch.QuoteIdent(schema);
  Status dropped = DropSchema(scratch, pg, quoted);
  r.scratch_removed = dropped.ok();
  if (dropped.ok()) return;
  r.checks.push_back({"db cleanup", Outcome::kFail,
                      "cannot drop the scratch schema " + schema + ": " + dropped.message() +
                          "; drop it by hand (DROP SCHEMA " + quoted + " CASCADE)"});
  if (r.status.ok()) r.status = dropped;
}

// The report of a drill that ended before it restored anything.
DbDrillReport FailedDrill(std::string manifest, Status st) {
  DbDrillReport r;
  r.manifest = std::move(manifest);
  r.status = st;
  r.checks.push_back({"db restore", Outcome::kFail, st.message()});
  return r;
}

}  // namespace

Result<DbDrillPlan> LoadDbDrillPlan(ObjectStore& store, const DbDrillOptions& o,
                                    uint64_t scratch_random) {
  DREDGE_ASSIGN_OR_RETURN(RunManifest run, ChooseDrillManifest(store, o));
  return PlanDbDrill(run, o, scratch_random);
}

DbDrillReport ExecuteDbDrill(ObjectStore& store, const DbDrillPlan& plan, const DbDrillOptions& o) {
  auto scratch = PgConn::Connect(ScratchPg(o));
  if (!scratch.ok())
    return FailedDrill(plan.manifest, scratch.status().WithContext("scratch database"));
  if (Status st = CreateScratchSchema(**scratch, plan); !st.ok())
    return FailedDrill(plan.manifest, st);
  DbDrillReport r;
  r.manifest = plan.manifest;
  uint64_t rows = 0, expected = 0;
  for (const DbDrillTable& t : plan.tables) {
    r.status = RestoreAndCheck(store, o, plan, t, **scratch, r);
    rows += r.rows;
    expected += r.live_keys;
    if (!r.status.ok()) break;
  }
  r.rows = rows;
  r.live_keys = expected;
  if (!r.status.ok() && (r.checks.empty() || r.checks.back().outcome != Outcome::kFail))
    r.checks.push_back({"db source", Outcome::kFail, r.status.message()});
  if (!plan.keep) DropScratchSchema(**scratch, ScratchPg(o), plan.scratch_schema, r);
  return r;
}

DbDrillReport RunDbDrill(ObjectStore& store, const DbDrillOptions& o) {
  auto plan = LoadDbDrillPlan(store, o, RandomSeed());
  if (!plan.ok()) return FailedDrill("", plan.status());
  return ExecuteDbDrill(store, *plan, o);
}

}  // namespace dredge
