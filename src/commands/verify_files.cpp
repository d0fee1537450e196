#include "commands/verify_files.h"

#include <filesystem>
#include <memory>

#include "cli/option_flags.h"
#include "cli/output.h"
#include "cli/store_flags.h"
#include "commands/files_command_support.h"
#include "commands/read_dest.h"
#include "commands/run_setup.h"
#include "common/log.h"
#include "common/plural.h"
#include "common/progress.h"
#include "common/time_util.h"
#include "engine/files/snapshot_select.h"
#include "engine/files/state_index.h"
#include "engine/files/verify.h"
#include "ops/check_record.h"

namespace dredge {
namespace {

struct Flags {
  std::string dest, source, state, snapshot, as_of;
  bool deep = false, json = false;
  int workers = 16;
  StoreOptions store;
  OpsFlags ops;
};

Result<RestorePointSelector> ParseSelector(const Flags& f) {
  DREDGE_RETURN_IF_ERROR(CheckWorkers(f.workers));
  RestorePointSelector selector{f.snapshot, std::nullopt};
  if (!f.as_of.empty()) {
    DREDGE_ASSIGN_OR_RETURN(int64_t t, ParseIsoTime(f.as_of));
    selector.as_of_ns = t;
  }
  if (!f.source.empty() && (!f.snapshot.empty() || selector.as_of_ns))
    return Status::Usage(
        "--source compares with the live directory; --snapshot/--as-of choose a snapshot "
        "instead: give one or the other");
  return selector;
}

// What to compare with: the live --source (with the state index, when one exists, so files
// that did not change are not hashed) or the chosen snapshot. Returns "source …"/"snapshot …".
Result<std::string> ChooseComparison(const Flags& f, ObjectStore& store,
                                     const RestorePointSelector& selector, VerifyOptions& o,
                                     std::unique_ptr<StateIndex>& index) {
  if (f.source.empty()) {
    DREDGE_ASSIGN_OR_RETURN(o.snapshot_id, SelectSnapshot(store, selector));
    return "snapshot " + o.snapshot_id;
  }
  DREDGE_ASSIGN_OR_RETURN(o.source, ExistingDirectory(f.source, "--source"));
  const std::string dest = store.Describe();
  const std::string state = f.state.empty() ? StateIndex::DefaultPath(dest) : f.state;
  std::error_code ec;
  if (std::filesystem::exists(state, ec)) {
    auto idx = StateIndex::Open(state, dest);
    if (idx.ok()) index = std::move(*idx);
  }
  o.index = index.get();
  return "source " + o.source;
}

// Prints the --json result and records the check; the outcome (Mismatch when anything differs).
Status ReportVerify(const Flags& f, ObjectStore& store, const RunIdentity& me,
                    const std::string& against, const VerifySummary& s) {
  log::Info("checked " + std::to_string(s.checked) + ": missing " + std::to_string(s.missing) +
            ", different " + std::to_string(s.different) + ", extra " + std::to_string(s.extra) +
            (f.deep ? ", corrupt " + std::to_string(s.corrupt) + " of " +
                          Plural(s.objects_hashed, "object") + " hashed"
                    : std::string()));
  if (f.json)
    PrintJson({{"ok", !s.mismatch()},
               {"against", against},
               {"checked", s.checked},
               {"missing", s.missing},
               {"different", s.different},
               {"extra", s.extra},
               {"corrupt", s.corrupt},
               {"objects_hashed", s.objects_hashed},
               {"problems", s.problems}});
  Status outcome = s.mismatch()
                       ? Status(ErrorKind::kMismatch,
                                "verify found " + std::to_string(s.missing) + " missing and " +
                                    Plural(s.different, "different object") + " (named above)")
                       : Status::Ok();
  auto n = [](uint64_t v) { return static_cast<int64_t>(v); };
  RecordCheck(store, f.deep ? "verify-deep" : "verify", "files", me, outcome,
              {{"checked", n(s.checked)},
               {"missing", n(s.missing)},
               {"different", n(s.different)},
               {"extra", n(s.extra)},
               {"corrupt", n(s.corrupt)}});
  return outcome;
}

Status Run(const Flags& f, const GlobalOptions& global) {
  auto fail = [&](Status st) { return FailJson(f.json, std::move(st)); };
  auto selector = ParseSelector(f);
  if (!selector.ok()) return fail(selector.status());
  ConfigOverrides overrides;
  if (!f.dest.empty()) overrides.files_dest.push_back(DestinationFromUrl(f.dest));
  auto config = PrepareRun(global, overrides, f.ops);
  if (!config.ok()) return fail(config.status());
  const DestinationConfig dest = config->DestinationsFor("files").front();
  auto store = OpenDestination(dest.url, MergeStoreOptions(dest, f.store));
  if (!store.ok()) return fail(store.status());
  // A mistyped destination has no snapshot and no records: say so instead of "all missing".
  if (Status st = ExplainEmpty(**store, "files", Status::Ok()); !st.ok()) return fail(st);
  auto run_log = OpenTierLog(*config, "verify-files");
  VerifyOptions o;
  o.deep = f.deep;
  o.workers = f.workers;
  if (const char* t = std::getenv("TMPDIR"); t && *t) o.tmp_dir = t;
  std::unique_ptr<StateIndex> index;
  auto against = ChooseComparison(f, **store, *selector, o, index);
  if (!against.ok()) return fail(against.status());
  log::Info(std::string(f.deep ? "deep-" : "") + "verifying " + (*store)->Describe() + " against " +
            *against);
  Progress progress("verify", global.quiet ? Progress::Mode::kOff : Progress::Mode::kAuto);
  o.progress = &progress;
  const RunIdentity me = NewRunIdentity();
  auto r = RunFilesVerify(**store, o);
  if (!r.ok()) {
    RecordCheck(**store, f.deep ? "verify-deep" : "verify", "files", me, r.status(), {});
    return fail(r.status());
  }
  return ReportVerify(f, **store, me, *against, *r);  // its --json result is already printed
}

}  // namespace

Runner SetupVerifyFiles(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--dest", f->dest,
                 "Store URL to verify (default: the first configured files destination)");
  cmd.add_option("--source", f->source, "Compare with this directory (default: a snapshot)");
  cmd.add_option("--snapshot", f->snapshot,
                 "Compare with this snapshot: latest (default), an id, a unique prefix or the "
                 "stamp YYYYMMDD_HHMMSS");
  cmd.add_option("--as-of", f->as_of, "Compare with the newest snapshot at or before this time");
  cmd.add_flag("--deep", f->deep, "Download and hash every object");
  cmd.add_option("--state", f->state, "State index file (saves hashing unchanged source files)");
  AddSettingFlag(cmd, "verify files.workers", &f->workers);
  cmd.add_flag("--json", f->json, "Print one JSON summary object on stdout");
  AddStoreFlags(cmd, &f->store);
  AddOpsFlags(cmd, &f->ops, false);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
