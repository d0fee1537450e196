#include "commands/restore_all.h"

#include <memory>

#include "cli/option_flags.h"
#include "cli/store_flags.h"
#include "commands/backup_db.h"
#include "commands/db_flags.h"
#include "commands/encrypt_flags.h"
#include "commands/restore_db.h"
#include "commands/restore_files.h"
#include "commands/run_summary.h"
#include "common/log.h"
#include "common/time_util.h"

namespace dredge {
namespace {

struct Flags {
  std::string as_of, target, db, into, dest, key_file;
  bool overwrite = false, replace = false, json = false, dry_run = false;
  int workers = FilesRestoreRequest{}.workers;  // the same default as `restore files`
  StoreOptions store;
  OpsFlags ops;
};

Status Run(const Flags& f, const GlobalOptions& global) {
  // Without --as-of each tier restores its newest point. Not "as of now": a manifest's name
  // may be a second ahead of the clock (a name already taken waits for the next second), and
  // a backup cannot slip in while we read: the restore holds each tier's lock.
  std::optional<int64_t> point;
  if (!f.as_of.empty()) {
    DREDGE_ASSIGN_OR_RETURN(point, ParseIsoTime(f.as_of));
  }
  ConfigOverrides o;
  if (!f.dest.empty()) o.dest.push_back(DestinationFromUrl(f.dest));
  if (!f.db.empty()) o.db_conninfo = f.db;
  DREDGE_ASSIGN_OR_RETURN(DredgeConfig config, PrepareRun(global, o, f.ops));
  if (!config.files.configured && !config.db.configured && f.target.empty() && f.db.empty())
    return Status::Usage(
        "nothing to restore: configure [files]/[db] in dredge.toml, or give --target and/or "
        "--db (or use 'dredge restore files' / 'dredge restore db')");
  if (config.db.configured || !f.db.empty())
    DREDGE_RETURN_IF_ERROR(LoadDecryptionKey(f.key_file, &config));
  auto run_log = OpenTierLog(config, "restore");
  log::Info(point ? "restoring every configured tier as of " + FormatIsoUtcNanos(*point)
                  : std::string("restoring every configured tier from its newest backup"));
  std::vector<DestOutcome> outcomes;
  if (config.files.configured || !f.target.empty()) {
    FilesRestoreRequest req;
    req.target = f.target.empty() ? config.files.source : f.target;
    req.as_of = point;
    req.overwrite = f.overwrite;
    req.require_empty_target = true;
    req.dry_run = f.dry_run;
    req.workers = f.workers;
    req.quiet = global.quiet;
    req.store_flags = f.store;
    outcomes.push_back(RestoreFilesFrom(config.DestinationsFor("files").front(), req));
  }
  if (config.db.configured || !f.db.empty()) {
    DbRestoreRequest req;
    req.conninfo = config.db.conninfo;
    req.into = f.into;
    req.as_of = point;
    req.replace = f.replace;
    req.dry_run = f.dry_run;
    req.workers = config.db.workers;
    req.statement_timeout = PgMillis(config.db.statement_timeout_ms);
    req.lock_timeout = PgMillis(config.db.lock_timeout_ms);
    req.store_flags = f.store;
    req.quiet = global.quiet;
    outcomes.push_back(RestoreDbFrom(config.DestinationsFor("db").front(), req));
  }
  PrintRunSummary("restore", outcomes, f.json);
  return CombinedStatus(outcomes, "restores");
}

}  // namespace

Runner SetupRestoreAll(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--as-of", f->as_of,
                 "Point in time for every tier (ISO 8601; default: now, the newest backups)");
  cmd.add_option("--target", f->target,
                 "Directory for the files tier (default: the configured [files] source)");
  cmd.add_option("--db", f->db, "Database to load the table into (default: [db] conninfo)");
  cmd.add_option("--into", f->into, "Table name to load (default: the backed-up table's name)");
  cmd.add_option("--dest", f->dest, "Restore from this store (default: each tier's first one)");
  cmd.add_flag("--overwrite", f->overwrite,
               "Restore into a non-empty directory, replacing files that differ");
  cmd.add_flag("--replace", f->replace, "Empty a non-empty target table first");
  cmd.add_flag("--dry-run", f->dry_run,
               "Say what each tier would restore (see restore files/db --dry-run); write nothing");
  AddSettingFlag(cmd, "restore.workers", &f->workers);
  cmd.add_flag("--json", f->json, "Print one JSON summary object on stdout");
  AddStoreFlags(cmd, &f->store);
  AddOpsFlags(cmd, &f->ops, false);
  AddEncryptKeyFlag(cmd, &f->key_file);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
