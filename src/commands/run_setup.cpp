#include "commands/run_setup.h"

#include <unistd.h>

#include "cli/store_flags.h"
#include "common/exit_codes.h"
#include "common/log.h"
#include "config/config_file.h"
#include "ops/limits.h"

namespace dredge {

void AddOpsFlags(CLI::App& cmd, OpsFlags* flags, bool metrics) {
  AddLimitFlags(cmd, &flags->limits);
  if (metrics)
    cmd.add_option("--metrics-file", flags->metrics_file,
                   "Update this Prometheus textfile-collector file after the run (atomic)");
}

Result<DredgeConfig> PrepareRun(const GlobalOptions& global, ConfigOverrides overrides,
                                const OpsFlags& ops) {
  if (ops.limits.bwlimit) overrides.bwlimit = ops.limits.bwlimit;
  if (ops.limits.tpslimit) overrides.tpslimit = ops.limits.tpslimit;
  if (ops.limits.nice) overrides.nice = ops.limits.nice;
  if (!global.log_dir.empty()) overrides.log_dir = global.log_dir;
  if (!global.log_format.empty()) overrides.log_format = global.log_format;
  DREDGE_ASSIGN_OR_RETURN(DredgeConfig config,
                          ResolveConfig(global.config_path, CurrentEnvironment(), overrides));
  log::SetFormat(config.logging.format == "json" ? log::Format::kJson : log::Format::kText);
  for (const auto& w : config.warnings) log::Warn(w);

  static bool applied = false;  // main's thread only, before workers exist
  if (!applied) {
    applied = true;
    SetProcessLimiter(MakeLimiter(config.limits));
    if (ShouldNice(config.limits.nice, ::isatty(STDOUT_FILENO) == 1)) {
      Status st = ApplyNice();
      if (!st.ok()) log::Warn(st.message() + "; running at normal priority");
    }
  }
  return config;
}

std::unique_ptr<RunLog> OpenTierLog(const DredgeConfig& config, const std::string& name) {
  if (config.logging.dir.empty()) return nullptr;
  RunLogOptions o;
  o.dir = config.logging.dir;
  o.tier = name;
  o.keep = config.logging.keep;
  auto opened = RunLog::Open(o);
  if (!opened.ok()) {
    log::Warn(opened.status().message() +
              "; continuing without a run log (see --log-dir or [logging] dir)");
    return nullptr;
  }
  return std::move(*opened);
}

int CombinedExitCode(const std::vector<DestOutcome>& outcomes) {
  std::vector<int> codes;
  bool any_ok = false;
  for (const auto& o : outcomes) {
    codes.push_back(ExitCodeFor(o.status));
    any_ok = any_ok || o.status.ok();
  }
  int combined = CombineExitCodes(codes);
  // A destination that failed while others got their complete backup is a partial result of
  // the whole job (issue 5: "one failing does not stop the others (exit 3)").
  if (combined == kExitError && any_ok) return kExitPartial;
  return combined;
}

Status CombinedStatus(const std::vector<DestOutcome>& outcomes, const std::string& what) {
  size_t failed = 0;
  for (const auto& o : outcomes) failed += o.status.ok() ? 0 : 1;
  if (failed == 0) return Status::Ok();
  std::string msg = std::to_string(failed) + " of " + std::to_string(outcomes.size()) + " " + what +
                    " did not succeed (see the summary above)";
  switch (CombinedExitCode(outcomes)) {
    case kExitMismatch:
      return Status(ErrorKind::kMismatch, msg);
    case kExitPartial:
      return Status(ErrorKind::kPartial, msg);
    case kExitLockHeld:
      return Status::LockHeld(msg);
    case kExitStale:
      return Status(ErrorKind::kStale, msg);
    case kExitUsage:
      return Status::Usage(msg);
    default:
      return Status::Io(msg);
  }
}

Result<RestoreLock> LockForRestore(std::shared_ptr<ObjectStore> store, const std::string& tier) {
  RestoreLock held;
  RunIdentity me = NewRunIdentity();
  RunLockOptions o;
  o.tier = tier;
  auto run = RunLock::Acquire(store, me, o);
  if (run.ok()) {
    held.run = std::move(*run);
    return held;
  }
  if (run.status().Is(ErrorKind::kLockHeld)) return run.status();
  log::Warn("cannot take the " + tier + " lease on " + store->Describe() + " (" +
            run.status().message() + "); restoring under the local lock only");
  DREDGE_ASSIGN_OR_RETURN(held.local,
                          LocalLock::Acquire(DefaultLockDir(), tier, store->Describe(), me));
  return held;
}

DestinationConfig DestinationFromUrl(const std::string& url) {
  DestinationConfig d;
  d.url = url;
  return d;
}

}  // namespace dredge
