#include "commands/prune.h"

#include <unistd.h>

#include <cstdio>
#include <memory>

#include "cli/store_flags.h"
#include "commands/files_command_support.h"
#include "commands/run_setup.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/time_util.h"
#include "engine/files/prune.h"
#include "ops/lock.h"
#include "ops/run_identity.h"

namespace dredge {
namespace {

constexpr size_t kMaxJsonKeys = 100000;

struct Flags {
  std::string dest;
  RetentionPolicy policy;
  int workers = 8;
  bool dry_run = false, json = false;
  StoreOptions store;
};

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Status Run(const Flags& f, const GlobalOptions& global) {
  DREDGE_ASSIGN_OR_RETURN(DredgeConfig config, PrepareRun(global, ConfigOverrides{}, OpsFlags{}));
  auto run_log = OpenTierLog(config, "prune");
  auto fail = [&](Status st) {
    if (f.json) PrintJson({{"ok", false}, {"error", st.message()}});
    return st;
  };
  if (Status st = ValidateRetentionPolicy(f.policy); !st.ok()) return fail(st);
  DREDGE_RETURN_IF_ERROR(CheckWorkers(f.workers));
  auto store = OpenDestination(f.dest, f.store);
  if (!store.ok()) return fail(store.status());
  const std::string dest = (*store)->Describe();

  // A prune deleting objects while a backup of the same destination runs could take what the
  // backup relies on: hold the files tier's run lock (local flock + store lease). A dry run
  // only reads.
  std::unique_ptr<RunLock> lock;
  if (!f.dry_run) {
    RunLockOptions lo;
    lo.tier = "files";
    auto l = RunLock::Acquire(*store, NewRunIdentity(), lo);
    if (!l.ok()) return fail(l.status());
    lock = std::move(*l);
  }

  // Files tier.
  PruneOptions o;
  o.policy = f.policy;
  o.dry_run = f.dry_run;
  o.workers = f.workers;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) o.host = host;
  nlohmann::json keys = nlohmann::json::array();
  bool keys_truncated = false;
  o.on_remove = [&](const std::string& key, uint64_t size, const char* kind) {
    if (f.dry_run) {
      log::Info("would delete " + std::string(kind) + " " + key +
                (size ? " (" + HumanBytes(size) + ")" : ""));
    } else {
      log::Debug("deleted " + std::string(kind) + " " + key);
    }
    if (!f.json) return;
    if (keys.size() < kMaxJsonKeys) {
      keys.push_back(key);
    } else {
      keys_truncated = true;
    }
  };
  log::Info(std::string(f.dry_run ? "dry run: " : "") + "pruning files snapshots of " + dest);
  auto r = PruneFiles(**store, o);
  if (!r.ok()) return fail(r.status());
  const PruneSummary& s = *r;
  for (const auto& k : s.kept) log::Info("keep    " + k.id + "  (" + Join(k.reasons) + ")");
  for (const auto& id : s.removed_snapshots)
    log::Info(std::string(f.dry_run ? "would remove " : "remove  ") + id);
  for (const auto& id : s.forced_retiring)
    log::Info(std::string(f.dry_run ? "would remove " : "remove  ") + id +
              "  (an earlier prune had begun retiring it)");
  log::Info(std::string(f.dry_run ? "would delete " : "deleted ") +
            std::to_string(s.objects_removed()) + " objects (" +
            std::to_string(s.data_objects_removed) + " data of removed or replaced files, " +
            std::to_string(s.content_objects_removed) + " preserved content), " +
            HumanBytes(s.bytes_freed) + "; kept " + std::to_string(s.kept.size()) + " snapshots, " +
            (f.dry_run ? "would remove " : "removed ") +
            std::to_string(s.removed_snapshots.size() + s.forced_retiring.size()));

  // Database tier: the lead adds the manifests' prune here (same policy, same --dry-run), and
  // its counts under "db" in the JSON object below; exit codes combine by CombineExitCodes.

  if (f.json) {
    nlohmann::json kept = nlohmann::json::array();
    for (const auto& k : s.kept)
      kept.push_back({{"id", k.id}, {"time", FormatIsoUtc(k.time_s)}, {"reasons", k.reasons}});
    nlohmann::json removed = s.removed_snapshots;
    for (const auto& id : s.forced_retiring) removed.push_back(id);
    nlohmann::json files = {{"snapshots_kept", s.kept.size()},
                            {"snapshots_removed", removed.size()},
                            {"kept", kept},
                            {"removed", removed},
                            {"objects_removed", s.objects_removed()},
                            {"data_objects_removed", s.data_objects_removed},
                            {"content_objects_removed", s.content_objects_removed},
                            {"bytes_freed", s.bytes_freed},
                            {"failed", s.failed},
                            {"failures", s.failures},
                            {"unresolved_kept_entries", s.unresolved_kept_entries},
                            {"record", s.record},
                            {f.dry_run ? "would_delete" : "deleted", keys},
                            {"keys_truncated", keys_truncated}};
    nlohmann::json out = files;  // the files tier's counts also at the top level
    out["ok"] = s.failed == 0;
    out["dry_run"] = f.dry_run;
    out["dest"] = dest;
    out["files"] = files;
    PrintJson(out);
  }
  if (lock) {
    if (Status st = lock->Release(); !st.ok())
      log::Warn("cannot release the run lock: " + st.message());
  }
  if (s.failed > 0)
    return Status(ErrorKind::kPartial,
                  std::to_string(s.failed) +
                      " deletions failed (named above); no snapshot was removed, rerun prune");
  return Status::Ok();
}

}  // namespace

Runner SetupPrune(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--dest", f->dest, "Store URL")->required();
  cmd.add_option("--keep-last", f->policy.keep_last, "Keep the N newest restore points");
  cmd.add_option("--keep-daily", f->policy.keep_daily,
                 "Keep the newest point of each of the last N days that have one (UTC)");
  cmd.add_option("--keep-weekly", f->policy.keep_weekly,
                 "Keep the newest point of each of the last N ISO weeks that have one");
  cmd.add_option("--keep-monthly", f->policy.keep_monthly,
                 "Keep the newest point of each of the last N months that have one");
  cmd.add_option("--workers", f->workers, "Parallel deletions")->capture_default_str();
  cmd.add_flag("--dry-run", f->dry_run, "List what would be deleted; delete nothing");
  cmd.add_flag("--json", f->json, "Print one JSON summary object on stdout");
  AddStoreFlags(cmd, &f->store);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
