#include "engine/db/backup_inputs.h"

#include "engine/db/catalog.h"
#include "engine/db/manifest_store.h"

namespace dredge {
namespace {

Result<DbSnapshotFacts> TakeSnapshot(PgConn& conn) {
  // The first statement of the transaction fixes its snapshot: this one records it.
  DREDGE_ASSIGN_OR_RETURN(
      PgRows r,
      conn.Query("SELECT s::text, pg_snapshot_xmin(s)::text, pg_snapshot_xmax(s)::text, "
                 "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
                 "current_database(), current_setting('server_version_num'), "
                 "has_function_privilege('pg_control_system()', 'EXECUTE') "
                 "FROM pg_current_snapshot() AS s"));
  DbSnapshotFacts s;
  s.text = r.str(0, 0);
  s.xmin = r.str(0, 1);
  s.xmax = r.str(0, 2);
  s.at = r.str(0, 3);
  s.database = r.str(0, 4);
  s.server_version = std::stoll(r.str(0, 5));
  if (r.str(0, 6) == "t") {
    DREDGE_ASSIGN_OR_RETURN(PgRows id,
                            conn.Query("SELECT system_identifier::text FROM pg_control_system()"));
    if (id.size() == 1) s.system_identifier = id.at(0, 0);
  }
  return s;
}

}  // namespace

DbPlanOptions PlanOptionsOf(const DbBackupOptions& opts) {
  DbPlanOptions o = opts.settings;
  o.encryption_key_id.reset();
  if (opts.encrypt) o.encryption_key_id = opts.encrypt->id;
  return o;
}

Result<GatheredDbBackup> GatherDbBackupInputs(ObjectStore& store, const DbBackupOptions& opts,
                                              int64_t start_secs) {
  GatheredDbBackup g;
  DbBackupInputs& in = g.inputs;
  in.options = PlanOptionsOf(opts);
  in.start_secs = start_secs;
  DREDGE_ASSIGN_OR_RETURN(PrefixListing listing, ListPrefix(store));
  in.max_chunk_number = listing.max_chunk_number;
  DREDGE_ASSIGN_OR_RETURN(in.prev, NewestManifest(store, listing));

  DREDGE_ASSIGN_OR_RETURN(g.conn, PgConn::Connect(opts.pg));
  DREDGE_RETURN_IF_ERROR(g.conn->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
  DREDGE_ASSIGN_OR_RETURN(in.snapshot, TakeSnapshot(*g.conn));
  DREDGE_ASSIGN_OR_RETURN(in.tables, PlanTables(*g.conn, opts.selection));
  // In the run's snapshot, like the rows: the schema recorded is the one the rows were read in.
  for (const auto& t : in.tables.tables) {
    DREDGE_ASSIGN_OR_RETURN(TableSchema schema, ReadTableSchema(*g.conn, t));
    in.schemas.push_back(std::move(schema));
  }
  return g;
}

}  // namespace dredge
