// What every tier command (backup/restore of files or db, `backup`, `restore`, `drill`) does
// before its first store request, in one call, so the commands cannot drift apart:
//  - resolve the settings: flags > DREDGE_* environment > dredge.toml > defaults
//    (config/config_file.h), logging the config's warnings;
//  - apply [logging] format (the global --log-format/--log-dir flags win when given);
//  - install the one process-wide Limiter (--bwlimit/--tpslimit/[limits]) that OpenDestination
//    wraps every store with (cli/store_flags.h);
//  - lower CPU and I/O priority when --nice/[limits] nice/the non-TTY default says so. It runs
//    on main's thread before any worker thread or connection pool exists, so every thread the
//    run starts inherits the lower priority (Linux applies both per thread).
// PrepareRun may be called more than once per process; limits and priority are applied once.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "common/status.h"
#include "config/dredge_config.h"
#include "config/env_overrides.h"
#include "ops/lock.h"
#include "ops/run_log.h"
#include "store/object_store.h"

namespace dredge {

// Flags shared by the commands that run a tier.
struct OpsFlags {
  ConfigOverrides limits;    // --bwlimit, --tpslimit, --nice/--no-nice
  std::string metrics_file;  // --metrics-file (backups and drill)
};

// Registers --bwlimit/--tpslimit/--nice and, when `metrics`, --metrics-file.
void AddOpsFlags(CLI::App& cmd, OpsFlags* flags, bool metrics);

// Resolves the configuration with `overrides` (the command's own flags) and `ops`, then applies
// logging format, limits and priority as described above.
Result<DredgeConfig> PrepareRun(const GlobalOptions& global, ConfigOverrides overrides,
                                const OpsFlags& ops);

// Opens `<[logging] dir>/dredge-<name>-<timestamp>.log` (ops/run_log.h), keeping
// [logging] keep logs of that name. Null, with a warning, when the file cannot be written: the
// run itself can still be done.
std::unique_ptr<RunLog> OpenTierLog(const DredgeConfig& config, const std::string& name);

// The result of one tier run to one destination, as `dredge backup`/`restore` summarise it.
// The same kind with no message: for an error the per-destination run already logged, so
// main() maps it to the exit code without printing it a second time.
inline Status AlreadyReported(const Status& st) {
  return st.ok() ? st : Status(st.kind(), "");
}

struct DestOutcome {
  std::string tier;         // "files" or "db"
  std::string destination;  // the URL
  Status status;
  nlohmann::json summary;  // what the tier command prints with --json for this destination
};

// Exit codes of all outcomes combined by the README order (common/exit_codes.h), except that an
// error (1) next to at least one success is a partial result (3): the other destinations hold
// complete backups.
int CombinedExitCode(const std::vector<DestOutcome>& outcomes);
// A Status whose exit code is the combined one, naming how many runs failed (Ok when none).
Status CombinedStatus(const std::vector<DestOutcome>& outcomes, const std::string& what);

// The lock a restore holds: the tier's run lock (local flock + store lease), so prune cannot
// delete what the restore is reading and two restores of one destination do not interleave.
// Restores write no run record: `dredge status` reports backups. With read-only credentials the
// lease cannot be written; the restore then proceeds under the local lock alone, with a warning.
struct RestoreLock {
  std::unique_ptr<RunLock> run;
  std::unique_ptr<LocalLock> local;
};
Result<RestoreLock> LockForRestore(std::shared_ptr<ObjectStore> store, const std::string& tier);

// A DestinationConfig holding only `url` (for --dest given on the command line).
DestinationConfig DestinationFromUrl(const std::string& url);

}  // namespace dredge
