// Running the [hooks] commands of dredge.toml (config/hooks_config.h).
//
// A hook is one command line run by `/bin/sh -c`, once per tier and destination of a run:
// on_success after a backup that ended ok, on_failure after one that did not (partial
// included), on_stale for each tier and destination `dredge status --max-age` finds stale.
// A caller may rely on:
//  - Environment: dredge's own environment, unchanged (dredge adds no credential: keys it read
//    from ~/.aws or a credential process stay in dredge), plus DREDGE_HOOK (on_success,
//    on_failure, on_stale), DREDGE_RUN_ID (the run record's id; a fresh one for a run that
//    failed before it could begin, e.g. an unreachable store; empty for on_stale), DREDGE_TIER
//    ("files" or "db"), DREDGE_DEST (the destination URL), DREDGE_EXIT_CODE (the run's exit code, 6
//    for stale) and DREDGE_SUMMARY (path of the run's JSON summary; empty for on_stale).
//  - stdin is /dev/null; stdout and stderr go, line by line, to the log ("hook on_success: …",
//    so to the run log too), through the secret scrubber; at most 64 KiB of output is logged.
//  - The hook runs in its own process group. After `timeout` the whole group gets SIGTERM, and
//    SIGKILL 2 s later. A hook that exits non-zero, cannot start or times out is a warning in
//    the log; RunHook's Status says which, and it never changes the run's exit code or record.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "config/hooks_config.h"

namespace dredge {

struct HookEvent {
  std::string hook;  // "on_success", "on_failure" or "on_stale"
  std::string run_id, tier, dest;
  int exit_code = 0;
  std::string summary_path;
};

// Runs `command` for `event` as described above. Ok when it exited 0; otherwise an error naming
// the hook and what happened (exit status, signal, timeout), already logged as a warning.
Status RunHook(const std::string& command, const HookEvent& event,
               std::chrono::milliseconds timeout);

// Where a backup run's JSON summary is written for its hooks:
// `<log_dir>/summaries/<tier>-<run_id>.json` (docs/operations.md).
std::string RunSummaryPath(const std::string& log_dir, const std::string& tier,
                           const std::string& run_id);

// After a backup of `tier` to `dest`: when the hook for the outcome (on_success for exit_code 0,
// else on_failure) is configured, writes `summary` (scrubbed) to RunSummaryPath, keeping the
// newest `keep` summaries of the tier (0 = all), then runs the hook; without one, does nothing.
// Problems are warnings only.
void RunBackupHooks(const HooksConfig& hooks, const std::string& log_dir, int keep,
                    const std::string& tier, const std::string& dest, const std::string& run_id,
                    int exit_code, const nlohmann::json& summary);

}  // namespace dredge
