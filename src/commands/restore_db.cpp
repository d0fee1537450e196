#include "commands/restore_db.h"

#include "cli/option_flags.h"
#include "cli/output.h"
#include "commands/encrypt_flags.h"

#include <memory>

#include <nlohmann/json.hpp>

#include "cli/store_flags.h"
#include "commands/db_flags.h"
#include "common/log.h"
#include "common/plural.h"
#include "common/progress.h"
#include "common/time_util.h"
#include "engine/db/restorer.h"

namespace dredge {
namespace {

struct Flags {
  std::string key_file;
  DbRestoreOptions opts;
  std::string dest;
  std::string as_of;
  std::string ids;
  bool replace = false;
  bool merge = false;
  bool json = false;
  StoreOptions store;
  OpsFlags ops;
};

nlohmann::json ResultJson(const RestoreResult& r) {
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& t : r.tables)
    tables.push_back({{"table", t.table},
                      {"rows", t.rows},
                      {"created", t.created},
                      {"chunks_read", t.chunks_read},
                      {"chunks_skipped", t.chunks_skipped}});
  return {{"rows", r.rows},
          {"tables", tables},
          {"foreign_keys_added", r.foreign_keys_added},
          {"foreign_keys_left_out", r.foreign_keys_left_out},
          {"table", r.table},
          {"created", r.created},
          {"legacy", r.legacy},
          {"manifest", r.manifest_key.empty() ? nlohmann::json() : nlohmann::json(r.manifest_key)},
          {"chunks_read", r.chunks_read},
          {"chunks_skipped", r.chunks_skipped},
          {"dry_run", r.dry_run}};
}

void LogResult(const RestoreResult& r) {
  if (r.dry_run) {
    for (const auto& t : r.tables)
      log::Info("restore db: dry run: " + t.table + ": up to " + Plural(t.rows, "row") + " in " +
                Plural(t.chunks_read, "chunk") + " (" + std::to_string(t.chunks_skipped) +
                " skipped by the filters)");
    for (const auto& fk : r.foreign_keys_left_out)
      log::Info("restore db: dry run: foreign key left out: " + fk);
    log::Info("restore db: dry run: would load " +
              (r.legacy ? Plural(r.chunks_read, "legacy chunk") + " into " + r.table
                        : "up to " + Plural(r.rows, "row") + " into " + r.table + " from " +
                              r.manifest_key + ", then add " +
                              Plural(r.foreign_keys_added.size(), "foreign key")) +
              "; nothing was read from or written to the database");
    return;
  }
  if (r.tables.size() > 1)
    for (const auto& t : r.tables)
      log::Info("restore db: " + t.table + ": " + Plural(t.rows, "row") +
                (t.created ? " (created)" : ""));
  log::Info("restore db: loaded " + Plural(r.rows, "row") + " into " + r.table +
            (r.created ? " (created)" : "") + " from " +
            (r.legacy ? std::string("legacy chunks") : r.manifest_key) + "; " +
            Plural(r.chunks_read, "chunk") + " read, " + std::to_string(r.chunks_skipped) +
            " skipped");
}

// Opens and locks the destination, then restores.
Result<RestoreResult> RestoreLocked(const DestinationConfig& dest, const StoreOptions& flags,
                                    DbRestoreOptions opts, bool quiet) {
  DREDGE_ASSIGN_OR_RETURN(auto store, OpenDestination(dest.url, MergeStoreOptions(dest, flags)));
  if (opts.dry_run) return RunDbRestore(*store, opts);  // writes nothing, not even the lease
  DREDGE_ASSIGN_OR_RETURN(RestoreLock lock, LockForRestore(store, "db"));
  Progress progress("restore db", quiet ? Progress::Mode::kOff : Progress::Mode::kAuto);
  opts.progress = &progress;
  return RunDbRestore(*store, opts);
}

Status Run(Flags& f, const GlobalOptions& global) {
  if (!f.as_of.empty()) {
    DREDGE_ASSIGN_OR_RETURN(int64_t t, ParseIsoTime(f.as_of));
    f.opts.point.as_of_unix_nanos = t;
  }
  if (!f.ids.empty()) {
    DREDGE_ASSIGN_OR_RETURN(auto ids, ParseIdsArgument(f.ids));
    f.opts.ids = std::move(ids);
  }
  f.opts.mode = f.replace ? RestoreMode::kReplace
                : f.merge ? RestoreMode::kMerge
                          : RestoreMode::kEmptyOnly;
  ConfigOverrides o;
  if (!f.dest.empty()) o.db_dest.push_back(DestinationFromUrl(f.dest));
  if (!f.opts.pg.conninfo.empty()) o.db_conninfo = f.opts.pg.conninfo;
  DREDGE_ASSIGN_OR_RETURN(DredgeConfig config, PrepareRun(global, o, f.ops));
  DREDGE_RETURN_IF_ERROR(LoadDecryptionKey(f.key_file, &config));
  f.opts.pg.conninfo = config.db.conninfo;
  auto run_log = OpenTierLog(config, "restore-db");
  DREDGE_ASSIGN_OR_RETURN(RestoreResult r, RestoreLocked(config.DestinationsFor("db").front(),
                                                         f.store, f.opts, global.quiet));
  if (f.json)
    PrintJson(ResultJson(r));
  else
    LogResult(r);
  return Status::Ok();
}

}  // namespace

DestOutcome RestoreDbFrom(const DestinationConfig& dest, const DbRestoreRequest& req) {
  DestOutcome out{"db", dest.url, Status::Ok(), nlohmann::json::object()};
  DbRestoreOptions opts;
  opts.pg.conninfo = req.conninfo;
  opts.pg.statement_timeout = req.statement_timeout;
  opts.pg.lock_timeout = req.lock_timeout;
  opts.into = req.into;
  opts.point.as_of_unix_nanos = req.as_of;
  opts.point.manifest = req.manifest;
  opts.mode = req.replace ? RestoreMode::kReplace : RestoreMode::kEmptyOnly;
  opts.dry_run = req.dry_run;
  opts.workers = req.workers;
  auto r = RestoreLocked(dest, req.store_flags, opts, req.quiet);
  if (r.ok()) {
    LogResult(*r);
    out.summary = ResultJson(*r);
  } else {
    out.status = r.status();
    log::Error("restore db from " + dest.url + ": " + out.status.message());
    out.summary["error"] = out.status.message();
  }
  out.summary["ok"] = out.status.ok();
  out.summary["destination"] = dest.url;
  return out;
}

Runner SetupRestoreDb(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--dest", f->dest,
                 "Destination URL holding the backups (default: the first configured db "
                 "destination)");
  AddDbFlags(cmd, &f->opts.pg, false);
  cmd.add_option("--into", f->opts.into,
                 "Table to load (default: the backed-up table's name); created when missing; "
                 "only when one table is restored");
  cmd.add_option("--table", f->opts.tables,
                 "Restore only this table of the restore point (repeatable; default: all)");
  cmd.add_flag("--with-dependencies", f->opts.with_dependencies,
               "With --table: also restore the tables their foreign keys reference");
  auto* as_of = cmd.add_option("--as-of", f->as_of,
                               "Restore the newest manifest written at or before TIME (ISO 8601)");
  auto* manifest =
      cmd.add_option("--manifest", f->opts.point.manifest, "Restore this manifest (id or key)");
  as_of->excludes(manifest);
  cmd.add_option("--since", f->opts.since, "Only rows whose date column is at or after TIME");
  cmd.add_option("--until", f->opts.until, "Only rows whose date column is at or before TIME");
  cmd.add_option("--date-column", f->opts.date_column, "Column --since/--until compare");
  cmd.add_option("--ids", f->ids, "Only these ids: 1-100,205,300-310 or @FILE");
  auto* replace = cmd.add_flag("--replace", f->replace,
                               "Empty the target table first (one transaction with the load)");
  auto* merge = cmd.add_flag("--merge", f->merge, "Upsert by primary key into a non-empty table");
  replace->excludes(merge);
  AddSettingFlag(cmd, "restore db.workers", &f->opts.workers)->check(CLI::Range(1, 64));
  cmd.add_flag("--dry-run", f->opts.dry_run,
               "Say what would be loaded (tables, chunks, rows, foreign keys); touch no database");
  cmd.add_flag("--json", f->json, "Print one JSON object with the result");
  AddStoreFlags(cmd, &f->store);
  AddEncryptKeyFlag(cmd, &f->key_file);
  AddOpsFlags(cmd, &f->ops, false);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
