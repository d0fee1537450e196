#include "commands/backup_files.h"

#include <unistd.h>

#include <memory>
#include <vector>

#include "cli/option_flags.h"
#include "cli/output.h"
#include "cli/store_flags.h"
#include "commands/files_command_support.h"
#include "commands/files_retention.h"
#include "commands/run_hooks.h"
#include "commands/upload_flags.h"
#include "common/log.h"
#include "common/plural.h"
#include "common/progress.h"
#include "common/time_util.h"
#include "engine/files/backup.h"
#include "engine/files/state_index.h"
#include "ops/retention_store.h"
#include "ops/run_scope.h"

namespace dredge {
namespace {

struct Flags {
  std::string source;
  std::vector<std::string> dests, includes, excludes;
  int workers = 0;        // applied only when given (the table's default otherwise)
  double max_change = 0;  // a percentage, applied only when given
  bool json = false;
  FilesBackupRequest request;
  OpsFlags ops;
  CLI::Option* workers_opt = nullptr;
  CLI::Option* max_change_opt = nullptr;
};

// null without Object Lock.
nlohmann::json RetentionJson(const BackupSummary::Retention& r) {
  if (!r.ran) return nullptr;
  return {{"objects", r.objects}, {"looked_up", r.looked_up}, {"extended", r.extended},
          {"failed", r.failed},   {"requests", r.requests},   {"until", FormatIsoUtc(r.until)}};
}

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
          {"versioning", s.versioning},
          {"versioning_warning", s.versioning_warning},
          {"retention", RetentionJson(s.retention)},
          {"snapshot", s.snapshot},
          {"failures", s.failures}};
}

RunTotals TotalsOf(const BackupSummary& s) {
  RunTotals t;
  t.objects = s.uploaded + s.copied;
  t.bytes = s.bytes_uploaded;
  t.snapshot = s.snapshot;
  t.counts = {
      {"scanned", static_cast<int64_t>(s.scanned)}, {"uploaded", static_cast<int64_t>(s.uploaded)},
      {"copied", static_cast<int64_t>(s.copied)},   {"skipped", static_cast<int64_t>(s.skipped)},
      {"failed", static_cast<int64_t>(s.failed)},   {"removed", static_cast<int64_t>(s.removed)}};
  return t;
}

// The source directory as an absolute path; Usage when there is none or it is no directory.
// Checked before a log, a destination or a run record is created.
Result<std::string> CheckSource(const FilesConfig& fc) {
  if (fc.source.empty())
    return Status::Usage("no source directory: give --source or set [files] source in dredge.toml");
  return ExistingDirectory(fc.source, "--source");
}

// The backup itself, once the store is open and locked.
Result<BackupSummary> BackupOnce(ObjectStore& store, const DredgeConfig& config,
                                 const std::string& source, const FilesBackupRequest& req) {
  const FilesConfig& fc = config.files;
  DREDGE_RETURN_IF_ERROR(CheckWorkers(fc.workers));
  const std::string dest = store.Describe();
  std::string state = req.state.empty() ? StateIndex::DefaultPath(dest) : req.state;
  DREDGE_ASSIGN_OR_RETURN(auto index, StateIndex::Open(state, dest));

  BackupOptions o;
  o.source = source;
  o.filter = PathFilter(fc.include, fc.exclude);
  o.workers = fc.workers;
  o.max_change_pct = fc.max_change * 100.0;
  o.force = req.force;
  o.dry_run = req.dry_run;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) o.host = host;
  if (const char* t = std::getenv("TMPDIR"); t && *t) o.tmp_dir = t;
  Progress progress("backup", req.quiet ? Progress::Mode::kOff : Progress::Mode::kAuto);
  o.progress = &progress;
  log::Info("backing up " + o.source + " to " + dest + (req.dry_run ? " (dry run)" : "") +
            " (state index " + state + ")");
  const auto lock = LockPolicyOf(store);
  if (lock) o.retain_seconds = lock->retain_seconds;
  // What this run writes is locked at least a retain past its start: not due in its own pass.
  const int64_t run_start = NowUnixNanos() / 1000000000LL;
  DREDGE_ASSIGN_OR_RETURN(BackupSummary s, RunFilesBackup(store, *index, o));
  if (lock && !req.dry_run) {
    DREDGE_ASSIGN_OR_RETURN(ExtendSummary x,
                            ExtendFilesRetention(store, *lock, *index, o.filter, run_start));
    s.retention = {true, x.objects, x.looked_up, x.extended, x.failed, x.requests, x.until};
    for (auto& p : x.problems) s.failures.push_back(std::move(p));
    log::Info("retention: " + Plural(x.objects, "locked version") + " referenced, " +
              std::to_string(x.extended) + " extended to " + FormatIsoUtc(x.until) + ", " +
              std::to_string(x.looked_up) + " looked up, " + std::to_string(x.failed) + " failed");
  }
  if (req.dry_run)
    log::Info("dry run: scanned " + Plural(s.scanned, "file") + " (" + HumanBytes(s.scanned_bytes) +
              "): would upload " + Plural(s.uploaded, "file") + " (" +
              HumanBytes(s.bytes_uploaded) + "), would copy " + std::to_string(s.copied) +
              " (content already stored), " + std::to_string(s.skipped) + " unchanged, " +
              std::to_string(s.removed) + " removed from the source; nothing was written" +
              (s.uploaded + s.copied > 0 ? " (-v names each file)" : ""));
  else
    log::Info("scanned " + Plural(s.scanned, "file") + " (" + HumanBytes(s.scanned_bytes) +
              "): uploaded " + std::to_string(s.uploaded) + " (" + HumanBytes(s.bytes_uploaded) +
              "), copied " + std::to_string(s.copied) + ", skipped " + std::to_string(s.skipped) +
              ", removed " + std::to_string(s.removed) + ", failed " + std::to_string(s.failed) +
              (s.snapshot.empty() ? "" : "; snapshot " + s.snapshot));
  return s;
}

Status Run(Flags& f, const GlobalOptions& global) {
  auto fail = [&](Status st) { return FailJson(f.json, std::move(st)); };
  if (f.max_change < 0 || f.max_change > 100)
    return fail(Status::Usage("--max-change must be a percentage between 0 and 100"));
  ConfigOverrides o;
  for (const auto& url : f.dests) o.files_dest.push_back(DestinationFromUrl(url));
  if (!f.source.empty()) o.files_source = f.source;
  if (f.workers_opt->count() > 0) o.files_workers = f.workers;
  if (f.max_change_opt->count() > 0) o.max_change = f.max_change / 100.0;
  auto config = PrepareRun(global, o, f.ops);
  if (!config.ok()) return fail(config.status());
  if (!f.includes.empty()) config->files.include = f.includes;
  if (!f.excludes.empty()) config->files.exclude = f.excludes;
  auto dests = config->DestinationsFor("files");
  if (!f.request.state.empty() && dests.size() > 1)
    return fail(Status::Usage("--state names one state index; it cannot serve " +
                              std::to_string(dests.size()) + " destinations"));
  // Settings that can never work fail before any destination is opened or locked.
  if (Status st = CheckWorkers(config->files.workers); !st.ok()) return fail(st);
  if (auto src = CheckSource(config->files); !src.ok()) return fail(src.status());
  auto run_log = OpenTierLog(*config, "files");
  f.request.quiet = global.quiet;
  f.request.metrics_file = f.ops.metrics_file;
  std::vector<DestOutcome> outcomes;
  for (const auto& d : dests) {
    outcomes.push_back(BackupFilesTo(*config, d, f.request));
    RunHooksAfter(*config, outcomes.back());
    if (f.json) PrintJson(outcomes.back().summary);
  }
  if (outcomes.size() == 1) return AlreadyReported(outcomes[0].status);
  return CombinedStatus(outcomes, "destinations");
}

}  // namespace

DestOutcome BackupFilesTo(const DredgeConfig& config, const DestinationConfig& dest,
                          const FilesBackupRequest& req) {
  DestOutcome out{"files", dest.url, Status::Ok(), nlohmann::json::object()};
  auto finish = [&](Status st) {
    if (!st.ok()) log::Error("backup files to " + dest.url + ": " + st.message());
    out.status = st;
    out.summary["ok"] = st.ok();
    if (!st.ok()) out.summary["error"] = st.message();
    out.summary["destination"] = dest.url;
    return out;
  };
  auto source = CheckSource(config.files);  // a wrong source touches no destination
  if (!source.ok()) return finish(source.status());
  auto store = OpenDestination(dest.url, MergeStoreOptions(dest, req.store_flags));
  if (!store.ok()) return finish(store.status());
  std::unique_ptr<RunScope> scope;
  if (!req.dry_run) {  // a dry run writes nothing, not even a record, and needs no lock
    RunScopeOptions so;
    so.tier = "files";
    so.metrics_file = req.metrics_file;
    so.abort_incomplete_after = AbortIncompleteAfter(req.abort_incomplete_after, dest);
    auto begun = RunScope::Begin(*store, so);
    if (!begun.ok()) return finish(begun.status());
    scope = std::move(*begun);
  }
  auto r = BackupOnce(**store, config, *source, req);
  Status outcome = r.ok() ? Status::Ok() : r.status();
  RunTotals totals;
  if (r.ok()) {
    out.summary = SummaryJson(*r);
    out.summary["dry_run"] = req.dry_run;
    if (scope) out.summary["incomplete_uploads_aborted"] = scope->uploads().aborted;
    totals = TotalsOf(*r);
    if (r->failed > 0)
      outcome = Status(ErrorKind::kPartial,
                       Plural(r->failed, "file") +
                           " could not be backed up (named above); the rest is stored and the "
                           "snapshot records it");
  }
  if (scope) {
    outcome = scope->Finish(outcome, totals);
    out.summary["run_id"] = scope->run().run_id;
  }
  if (!outcome.ok()) log::Error("backup files to " + dest.url + ": " + outcome.message());
  out.status = outcome;
  out.summary["ok"] = outcome.ok();
  if (!outcome.ok() && !r.ok()) out.summary["error"] = outcome.message();
  out.summary["destination"] = dest.url;
  return out;
}

Runner SetupBackupFiles(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  AddSettingFlag(cmd, "files.source", &f->source);
  cmd.add_option("--dest", f->dests,
                 "Destination URL (file:///path, s3://bucket/prefix; repeatable; default: the "
                 "configured [[files.destination]] entries)");
  AddSettingFlag(cmd, "files.include", &f->includes);
  AddSettingFlag(cmd, "files.exclude", &f->excludes);
  f->workers_opt = AddSettingFlag(cmd, "files.workers", &f->workers);
  cmd.add_option("--state", f->request.state,
                 "State index file (default ~/.cache/dredge/<hash of dest>.sqlite)");
  f->max_change_opt = AddSettingFlag(cmd, "files.max_change", &f->max_change);
  cmd.add_flag("--force", f->request.force, "Run even when the damage guard would stop it");
  cmd.add_flag("--dry-run", f->request.dry_run, "Show what would be done; write nothing");
  cmd.add_flag("--json", f->json, "Print one JSON summary object per destination on stdout");
  AddStoreFlags(cmd, &f->request.store_flags);
  AddOpsFlags(cmd, &f->ops, true);
  AddAbortIncompleteFlag(cmd, &f->request.abort_incomplete_after);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
