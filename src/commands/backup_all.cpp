#include "commands/backup_all.h"

#include <cstdio>
#include <memory>

#include "cli/store_flags.h"
#include "commands/backup_db.h"
#include "commands/backup_files.h"
#include "commands/encrypt_flags.h"
#include "commands/files_command_support.h"
#include "commands/run_hooks.h"
#include "commands/run_summary.h"
#include "commands/upload_flags.h"
#include "common/exit_codes.h"

namespace dredge {
namespace {

struct Flags {
  bool json = false;
  bool dry_run = false;
  bool force = false;
  std::string key_file;
  std::string abort_incomplete_after;
  StoreOptions store;
  OpsFlags ops;
};

Status Run(const Flags& f, const GlobalOptions& global) {
  DREDGE_ASSIGN_OR_RETURN(DredgeConfig config, PrepareRun(global, ConfigOverrides{}, f.ops));
  if (!config.files.configured && !config.db.configured)
    return Status::Usage(
        "no tier configured: add a [files] and/or [db] table to dredge.toml (see "
        "dredge.example.toml), or run 'dredge backup files' / 'dredge backup db' with flags");
  // A bad key file is a usage error before any tier runs, not after the files tier.
  std::optional<EncryptionKey> key;
  if (config.db.configured) {
    DREDGE_ASSIGN_OR_RETURN(key, LoadEncryptKey(f.key_file, &config));
  }
  std::vector<DestOutcome> outcomes;
  if (config.files.configured) {
    auto run_log = OpenTierLog(config, "files");
    FilesBackupRequest req;
    req.force = f.force;
    req.dry_run = f.dry_run;
    req.quiet = global.quiet;
    req.store_flags = f.store;
    req.metrics_file = f.ops.metrics_file;
    req.abort_incomplete_after = f.abort_incomplete_after;
    for (const auto& d : config.DestinationsFor("files")) {
      outcomes.push_back(BackupFilesTo(config, d, req));
      RunHooksAfter(config, outcomes.back());
    }
  }
  if (config.db.configured) {
    auto run_log = OpenTierLog(config, "db");
    DbBackupRequest req;
    req.dry_run = f.dry_run;
    req.json = f.json;
    req.encrypt = key;
    req.quiet = global.quiet;
    req.store_flags = f.store;
    req.metrics_file = f.ops.metrics_file;
    req.abort_incomplete_after = f.abort_incomplete_after;
    for (const auto& d : config.DestinationsFor("db")) {
      outcomes.push_back(BackupDbTo(config, d, req));
      RunHooksAfter(config, outcomes.back());
    }
  }
  PrintRunSummary("backup", outcomes, f.json);
  return CombinedStatus(outcomes, "backups");
}

}  // namespace

Runner SetupBackupAll(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_flag("--json", f->json, "Print one JSON summary object on stdout");
  cmd.add_flag(
      "--dry-run", f->dry_run,
      "Show what each tier would do (files: what it would upload; db: the plan); write nothing");
  cmd.add_flag("--force", f->force, "Files tier: run even when the damage guard would stop it");
  AddStoreFlags(cmd, &f->store);
  AddOpsFlags(cmd, &f->ops, true);
  AddEncryptKeyFlag(cmd, &f->key_file);
  AddAbortIncompleteFlag(cmd, &f->abort_incomplete_after);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
