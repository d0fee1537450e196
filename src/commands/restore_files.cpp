#include "commands/restore_files.h"

#include <memory>
#include <optional>
#include <vector>

#include "cli/store_flags.h"
#include "commands/files_command_support.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/time_util.h"
#include "engine/files/restore.h"
#include "engine/files/snapshot_catalog.h"

namespace dredge {
namespace {

struct Flags {
  std::string dest, target, snapshot, as_of;
  std::vector<std::string> includes, excludes;
  bool overwrite = false, json = false;
  int workers = 16;
  StoreOptions store;
};

Status Run(const Flags& f, const GlobalOptions& global) {
  OpenRunLog(global, "restore-files");
  auto fail = [&](Status st) {
    if (f.json) PrintJson({{"ok", false}, {"error", st.message()}});
    return st;
  };
  DREDGE_RETURN_IF_ERROR(CheckWorkers(f.workers));
  if (!f.snapshot.empty() && !f.as_of.empty())
    return fail(Status::Usage("give either --snapshot or --as-of, not both"));
  std::optional<int64_t> as_of;
  if (!f.as_of.empty()) {
    auto t = ParseIsoTime(f.as_of);
    if (!t.ok()) return fail(t.status());
    as_of = *t;
  }
  auto store = OpenDestination(f.dest, f.store);
  if (!store.ok()) return fail(store.status());
  auto id = ChooseSnapshot(**store, f.snapshot, as_of);
  if (!id.ok()) return fail(id.status());

  RestoreOptions o;
  o.target = f.target;
  o.snapshot_id = *id;
  o.filter = PathFilter(f.includes, f.excludes);
  o.overwrite = f.overwrite;
  o.workers = f.workers;
  Progress progress("restore", global.quiet ? Progress::Mode::kOff : Progress::Mode::kAuto);
  o.progress = &progress;
  log::Info("restoring " + *id + " from " + (*store)->Describe() + " into " + f.target);
  auto r = RunFilesRestore(**store, o);
  if (!r.ok()) return fail(r.status());
  const RestoreSummary& s = *r;
  log::Info("restored " + std::to_string(s.restored) + " files (" + HumanBytes(s.bytes) +
            "), skipped " + std::to_string(s.skipped) + " identical, " +
            std::to_string(s.conflicts) + " left alone, failed " + std::to_string(s.failed));
  if (f.json)
    PrintJson({{"ok", s.failed == 0},
               {"snapshot", *id},
               {"restored", s.restored},
               {"skipped", s.skipped},
               {"failed", s.failed},
               {"conflicts", s.conflicts},
               {"bytes", s.bytes},
               {"problems", s.problems}});
  if (s.failed > 0)
    return Status(ErrorKind::kPartial,
                  std::to_string(s.failed) + " files were not restored (named above)" +
                      (s.conflicts ? "; use --overwrite to replace the " +
                                         std::to_string(s.conflicts) + " existing different files"
                                   : std::string()));
  return Status::Ok();
}

}  // namespace

Runner SetupRestoreFiles(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--dest", f->dest, "Store URL the backup was written to")->required();
  cmd.add_option("--target", f->target, "Directory to restore into")->required();
  cmd.add_option("--snapshot", f->snapshot, "Snapshot id (see 'dredge snapshots')");
  cmd.add_option("--as-of", f->as_of,
                 "Newest snapshot at or before this time (ISO 8601; local time without a zone)");
  cmd.add_option("--include", f->includes, "Only files matching this glob (repeatable)");
  cmd.add_option("--exclude", f->excludes, "Skip files matching this glob (repeatable; wins)");
  cmd.add_flag("--overwrite", f->overwrite, "Replace existing files that differ");
  cmd.add_option("--workers", f->workers, "Parallel downloads")->capture_default_str();
  cmd.add_flag("--json", f->json, "Print one JSON summary object on stdout");
  AddStoreFlags(cmd, &f->store);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
