#include "commands/backup_files.h"

#include <unistd.h>

#include <memory>
#include <vector>

#include "cli/store_flags.h"
#include "commands/files_command_support.h"
#include "common/log.h"
#include "common/progress.h"
#include "engine/files/backup.h"
#include "engine/files/state_index.h"

namespace dredge {
namespace {

struct Flags {
  std::string source, dest, state;
  std::vector<std::string> includes, excludes;
  int workers = 16;
  double max_change = 20;
  bool force = false, dry_run = false, json = false;
  StoreOptions store;
};

nlohmann::json SummaryJson(const BackupSummary& s) {
  return {{"scanned", s.scanned},
          {"uploaded", s.uploaded},
          {"copied", s.copied},
          {"skipped", s.skipped},
          {"failed", s.failed},
          {"removed", s.removed},
          {"preserved", s.preserved},
          {"bytes_uploaded", s.bytes_uploaded},
          {"bytes_scanned", s.scanned_bytes},
          {"used_listing", s.used_listing},
          {"snapshot", s.snapshot},
          {"failures", s.failures}};
}

Status Run(const Flags& f, const GlobalOptions& global) {
  OpenRunLog(global, "backup-files");
  auto fail = [&](Status st) {
    if (f.json) PrintJson({{"ok", false}, {"error", st.message()}});
    return st;
  };
  DREDGE_RETURN_IF_ERROR(CheckWorkers(f.workers));
  if (f.max_change < 0 || f.max_change > 100)
    return fail(Status::Usage("--max-change must be a percentage between 0 and 100"));
  auto source = ExistingDirectory(f.source, "--source");
  if (!source.ok()) return fail(source.status());
  auto store = OpenDestination(f.dest, f.store);
  if (!store.ok()) return fail(store.status());
  const std::string dest = (*store)->Describe();
  std::string state = f.state.empty() ? StateIndex::DefaultPath(dest) : f.state;
  auto index = StateIndex::Open(state, dest);
  if (!index.ok()) return fail(index.status());

  BackupOptions o;
  o.source = *source;
  o.filter = PathFilter(f.includes, f.excludes);
  o.workers = f.workers;
  o.max_change_pct = f.max_change;
  o.force = f.force;
  o.dry_run = f.dry_run;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) o.host = host;
  if (const char* t = std::getenv("TMPDIR"); t && *t) o.tmp_dir = t;
  Progress progress("backup", global.quiet ? Progress::Mode::kOff : Progress::Mode::kAuto);
  o.progress = &progress;
  log::Info("backing up " + o.source + " to " + dest + (f.dry_run ? " (dry run)" : "") +
            " (state index " + state + ")");
  auto r = RunFilesBackup(**store, **index, o);
  if (!r.ok()) return fail(r.status());
  const BackupSummary& s = *r;
  log::Info("scanned " + std::to_string(s.scanned) + " files (" + HumanBytes(s.scanned_bytes) +
            "): uploaded " + std::to_string(s.uploaded) + " (" + HumanBytes(s.bytes_uploaded) +
            "), copied " + std::to_string(s.copied) + ", skipped " + std::to_string(s.skipped) +
            ", removed " + std::to_string(s.removed) + ", failed " + std::to_string(s.failed) +
            (s.snapshot.empty() ? "" : "; snapshot " + s.snapshot));
  if (f.json) {
    auto j = SummaryJson(s);
    j["ok"] = s.failed == 0;
    j["dry_run"] = f.dry_run;
    PrintJson(j);
  }
  if (s.failed > 0)
    return Status(ErrorKind::kPartial, std::to_string(s.failed) +
                                           " files could not be backed up (named above); the "
                                           "rest is stored and the snapshot records it");
  return Status::Ok();
}

}  // namespace

Runner SetupBackupFiles(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--source", f->source, "Directory to back up")->required();
  cmd.add_option("--dest", f->dest, "Destination URL (file:///path, s3://bucket/prefix)")
      ->required();
  cmd.add_option("--include", f->includes, "Only files matching this glob (repeatable)");
  cmd.add_option("--exclude", f->excludes, "Skip files matching this glob (repeatable; wins)");
  cmd.add_option("--workers", f->workers, "Parallel transfers")->capture_default_str();
  cmd.add_option("--state", f->state,
                 "State index file (default ~/.cache/dredge/<hash of dest>.sqlite)");
  cmd.add_option("--max-change", f->max_change,
                 "Stop before writing when more than this % of backed-up files would change")
      ->capture_default_str();
  cmd.add_flag("--force", f->force, "Run even when the damage guard would stop it");
  cmd.add_flag("--dry-run", f->dry_run, "Show what would be done; write nothing");
  cmd.add_flag("--json", f->json, "Print one JSON summary object on stdout");
  AddStoreFlags(cmd, &f->store);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
