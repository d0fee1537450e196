#include "commands/restore_files.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "cli/option_flags.h"
#include "cli/output.h"
#include "cli/store_flags.h"
#include "commands/files_command_support.h"
#include "commands/read_dest.h"
#include "common/log.h"
#include "common/plural.h"
#include "common/progress.h"
#include "common/time_util.h"
#include "engine/files/restore.h"
#include "engine/files/snapshot_select.h"

namespace dredge {
namespace {

struct Flags {
  std::string dest, as_of;
  bool json = false;
  FilesRestoreRequest request;
  OpsFlags ops;
};

bool NonEmptyDirectory(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec) &&
         std::filesystem::directory_iterator(path, ec) != std::filesystem::directory_iterator();
}

Status Run(Flags& f, const GlobalOptions& global) {
  auto fail = [&](Status st) { return FailJson(f.json, std::move(st)); };
  if (!f.as_of.empty()) {
    auto t = ParseIsoTime(f.as_of);
    if (!t.ok()) return fail(t.status());
    f.request.as_of = *t;
  }
  // Usage errors come before the config, the run log or the destination is touched.
  if (Status st = CheckWorkers(f.request.workers); !st.ok()) return fail(st);
  ConfigOverrides o;
  if (!f.dest.empty()) o.files_dest.push_back(DestinationFromUrl(f.dest));
  auto config = PrepareRun(global, o, f.ops);
  if (!config.ok()) return fail(config.status());
  auto run_log = OpenTierLog(*config, "restore-files");
  f.request.quiet = global.quiet;
  DestOutcome out = RestoreFilesFrom(config->DestinationsFor("files").front(), f.request);
  if (f.json) PrintJson(out.summary);
  return AlreadyReported(out.status);  // RestoreFilesFrom logged it
}

void LogRestoreSummary(const RestoreSummary& s, bool dry_run) {
  const std::string rest = ", skipped " + std::to_string(s.skipped) + " identical, " +
                           std::to_string(s.conflicts) + " left alone, failed " +
                           std::to_string(s.failed);
  if (dry_run)
    log::Info("dry run: would restore " + Plural(s.restored, "file") + " (" + HumanBytes(s.bytes) +
              ")" + rest + "; nothing was written (-v names each file)");
  else
    log::Info("restored " + Plural(s.restored, "file") + " (" + HumanBytes(s.bytes) + ")" + rest);
}

}  // namespace

DestOutcome RestoreFilesFrom(const DestinationConfig& dest, const FilesRestoreRequest& f) {
  DestOutcome out{"files", dest.url, Status::Ok(), nlohmann::json::object()};
  auto finish = [&](Status st) {
    if (!st.ok()) log::Error("restore files from " + dest.url + ": " + st.message());
    out.status = st;
    out.summary["ok"] = st.ok();
    if (!st.ok() && !out.summary.contains("error")) out.summary["error"] = st.message();
    out.summary["destination"] = dest.url;
    out.summary["target"] = f.target;
    return out;
  };
  if (Status st = CheckWorkers(f.workers); !st.ok()) return finish(st);
  if (f.target.empty()) return finish(Status::Usage("no target directory: give --target"));
  if (f.require_empty_target && !f.overwrite && NonEmptyDirectory(f.target))
    return finish(Status::Usage("target '" + f.target +
                                "' is not empty; restore into an empty or new directory, or "
                                "give --overwrite to replace what differs"));
  auto store = OpenDestination(dest.url, MergeStoreOptions(dest, f.store_flags));
  if (!store.ok()) return finish(store.status());
  // Before the lock, which writes a lease: a mistyped destination must stay untouched.
  if (Status st = ExplainEmpty(**store, "files", Status::Ok()); !st.ok()) return finish(st);
  // A dry run writes nothing, not even the lease (a prune running meanwhile is harmless to it).
  Result<RestoreLock> lock = RestoreLock{};
  if (!f.dry_run) lock = LockForRestore(*store, "files");
  if (!lock.ok()) return finish(lock.status());
  auto id = SelectSnapshot(**store, {f.snapshot, f.as_of});
  if (!id.ok()) return finish(id.status());

  RestoreOptions o;
  o.target = f.target;
  o.snapshot_id = *id;
  o.filter = PathFilter(f.includes, f.excludes);
  o.overwrite = f.overwrite;
  o.dry_run = f.dry_run;
  o.workers = f.workers;
  Progress progress("restore", f.quiet ? Progress::Mode::kOff : Progress::Mode::kAuto);
  o.progress = &progress;
  log::Info(std::string(f.dry_run ? "dry run: would restore " : "restoring ") + *id + " from " +
            (*store)->Describe() + " into " + f.target);
  auto r = RunFilesRestore(**store, o);
  if (!r.ok()) return finish(r.status());
  const RestoreSummary& s = *r;
  LogRestoreSummary(s, f.dry_run);
  out.summary = {{"snapshot", *id},        {"restored", s.restored},   {"skipped", s.skipped},
                 {"failed", s.failed},     {"conflicts", s.conflicts}, {"bytes", s.bytes},
                 {"problems", s.problems}, {"dry_run", f.dry_run}};
  if (f.dry_run) return finish(Status::Ok());  // what would fail is named above and counted
  if (s.failed > 0)
    return finish(Status(ErrorKind::kPartial,
                         Plural(s.failed, "file") + (s.failed == 1 ? " was" : " were") +
                             " not restored (named above)" +
                             (s.conflicts ? "; use --overwrite to replace the existing different " +
                                                std::string(s.conflicts == 1 ? "file" : "files") +
                                                " (" + std::to_string(s.conflicts) + ")"
                                          : std::string())));
  return finish(Status::Ok());
}

Runner SetupRestoreFiles(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--dest", f->dest,
                 "Store URL the backup was written to (default: the first configured files "
                 "destination)");
  cmd.add_option("--target", f->request.target, "Directory to restore into")->required();
  cmd.add_option("--snapshot", f->request.snapshot,
                 "Snapshot: latest (default), an id, a unique prefix of it or its stamp "
                 "YYYYMMDD_HHMMSS (see 'dredge snapshots')");
  cmd.add_option("--as-of", f->as_of,
                 "Newest snapshot at or before this time (ISO 8601; local time without a zone)");
  cmd.add_option("--include", f->request.includes, "Only files matching this glob (repeatable)");
  cmd.add_option("--exclude", f->request.excludes,
                 "Skip files matching this glob (repeatable; wins)");
  cmd.add_flag("--overwrite", f->request.overwrite, "Replace existing files that differ");
  cmd.add_flag("--dry-run", f->request.dry_run,
               "Say what would be restored, skipped or left alone; write nothing");
  AddSettingFlag(cmd, "restore files.workers", &f->request.workers);
  cmd.add_flag("--json", f->json, "Print one JSON summary object on stdout");
  AddStoreFlags(cmd, &f->request.store_flags);
  AddOpsFlags(cmd, &f->ops, false);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
