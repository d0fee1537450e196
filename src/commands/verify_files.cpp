#include "commands/verify_files.h"

#include <filesystem>
#include <memory>

#include "cli/store_flags.h"
#include "commands/files_command_support.h"
#include "commands/run_setup.h"
#include "common/log.h"
#include "engine/files/snapshot_catalog.h"
#include "engine/files/state_index.h"
#include "engine/files/verify.h"

namespace dredge {
namespace {

struct Flags {
  std::string dest, source, state;
  bool deep = false, json = false;
  int workers = 16;
  StoreOptions store;
  OpsFlags ops;
};

Status Run(const Flags& f, const GlobalOptions& global) {
  auto fail = [&](Status st) {
    if (f.json) PrintJson({{"ok", false}, {"error", st.message()}});
    return st;
  };
  auto config = PrepareRun(global, ConfigOverrides{}, f.ops);
  if (!config.ok()) return fail(config.status());
  auto run_log = OpenTierLog(*config, "verify-files");
  DREDGE_RETURN_IF_ERROR(CheckWorkers(f.workers));
  auto store = OpenDestination(f.dest, f.store);
  if (!store.ok()) return fail(store.status());
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
    auto id = ChooseSnapshot(**store, "", std::nullopt);
    if (!id.ok()) return fail(id.status());
    o.snapshot_id = *id;
    against = "snapshot " + *id;
  }
  log::Info(std::string(f.deep ? "deep-" : "") + "verifying " + (*store)->Describe() + " against " +
            against);
  auto r = RunFilesVerify(**store, o);
  if (!r.ok()) return fail(r.status());
  const VerifySummary& s = *r;
  log::Info("checked " + std::to_string(s.checked) + ": missing " + std::to_string(s.missing) +
            ", different " + std::to_string(s.different) + ", extra " + std::to_string(s.extra) +
            (f.deep ? ", corrupt " + std::to_string(s.corrupt) + " of " +
                          std::to_string(s.objects_hashed) + " objects hashed"
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
  if (s.mismatch())
    return Status(ErrorKind::kMismatch, "verify found " + std::to_string(s.missing) +
                                            " missing and " + std::to_string(s.different) +
                                            " different objects (named above)");
  return Status::Ok();
}

}  // namespace

Runner SetupVerifyFiles(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--dest", f->dest, "Store URL to verify")->required();
  cmd.add_option("--source", f->source, "Compare with this directory (default: newest snapshot)");
  cmd.add_flag("--deep", f->deep, "Download and hash every object");
  cmd.add_option("--state", f->state, "State index file (saves hashing unchanged source files)");
  cmd.add_option("--workers", f->workers, "Parallel downloads for --deep")->capture_default_str();
  cmd.add_flag("--json", f->json, "Print one JSON summary object on stdout");
  AddStoreFlags(cmd, &f->store);
  AddOpsFlags(cmd, &f->ops, false);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
