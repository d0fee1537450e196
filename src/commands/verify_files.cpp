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

Status Run(const Flags& f, const GlobalOptions& global) {
  auto fail = [&](Status st) { return FailJson(f.json, std::move(st)); };
  if (Status st = CheckWorkers(f.workers); !st.ok()) return fail(st);
  RestorePointSelector selector{f.snapshot, std::nullopt};
  if (!f.as_of.empty()) {
    auto t = ParseIsoTime(f.as_of);
    if (!t.ok()) return fail(t.status());
    selector.as_of_ns = *t;
  }
  if (!f.source.empty() && (!f.snapshot.empty() || selector.as_of_ns))
    return fail(
        Status::Usage("--source compares with the live directory; --snapshot/--as-of "
                      "choose a snapshot instead: give one or the other"));
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
  std::string against;
  if (!f.source.empty()) {
    auto src = ExistingDirectory(f.source, "--source");
    if (!src.ok()) return fail(src.status());
    o.source = *src;
    against = "source " + o.source;
    // The state index (when one exists) saves hashing files that did not change.
    std::string dest = (*store)->Describe();
    std::string state = f.state.empty() ? StateIndex::DefaultPath(dest) : f.state;
    std::error_code ec;
    if (std::filesystem::exists(state, ec)) {
      auto idx = StateIndex::Open(state, dest);
      if (idx.ok()) index = std::move(*idx);
    }
    o.index = index.get();
  } else {
    auto id = SelectSnapshot(**store, selector);
    if (!id.ok()) return fail(id.status());
    o.snapshot_id = *id;
    against = "snapshot " + *id;
  }
  log::Info(std::string(f.deep ? "deep-" : "") + "verifying " + (*store)->Describe() + " against " +
            against);
  Progress progress("verify", global.quiet ? Progress::Mode::kOff : Progress::Mode::kAuto);
  o.progress = &progress;
  const RunIdentity me = NewRunIdentity();
  const std::string kind = f.deep ? "verify-deep" : "verify";
  auto r = RunFilesVerify(**store, o);
  if (!r.ok()) {
    RecordCheck(**store, kind, "files", me, r.status(), {});
    return fail(r.status());
  }
  const VerifySummary& s = *r;
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
  RecordCheck(**store, kind, "files", me, outcome,
              {{"checked", n(s.checked)},
               {"missing", n(s.missing)},
               {"different", n(s.different)},
               {"extra", n(s.extra)},
               {"corrupt", n(s.corrupt)}});
  return outcome;
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
