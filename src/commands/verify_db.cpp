#include "commands/verify_db.h"

#include <memory>

#include <nlohmann/json.hpp>

#include "cli/option_flags.h"
#include "cli/output.h"
#include "cli/store_flags.h"
#include "commands/db_flags.h"
#include "commands/encrypt_flags.h"
#include "commands/read_dest.h"
#include "commands/run_setup.h"
#include "common/log.h"
#include "common/plural.h"
#include "common/progress.h"
#include "common/time_util.h"
#include "engine/db/verifier.h"
#include "ops/check_record.h"

namespace dredge {
namespace {

struct Flags {
  DbVerifyOptions opts;
  std::string dest;
  bool json = false;
  StoreOptions store;
  std::string key_file;
  std::string as_of;
};

Status CheckVerifyDbFlags(Flags& f) {
  f.opts.with_db = !f.opts.pg.conninfo.empty();
  if (!f.opts.with_db && !f.opts.table.empty())
    return Status::Usage("--table needs --db (the live database to compare with)");
  if (!f.opts.with_db && (!f.opts.point.manifest.empty() || !f.as_of.empty()))
    return Status::Usage(
        "--manifest and --as-of choose the manifest --db compares with: add --db, or drop "
        "them (without --db every manifest's chunks are checked)");
  if (!f.as_of.empty()) {
    DREDGE_ASSIGN_OR_RETURN(int64_t t, ParseIsoTime(f.as_of));
    f.opts.point.as_of_unix_nanos = t;
  }
  return Status::Ok();
}

void ReportVerifyDb(const Flags& f, const DbVerifyResult& r, const Status& st) {
  if (f.json) {
    nlohmann::json j = {{"manifests_checked", r.manifests_checked},
                        {"chunks_checked", r.chunks_checked},
                        {"corrupt", r.corrupt},
                        {"ok", st.ok()}};
    if (f.opts.with_db)
      j["db"] = {{"manifest", r.manifest_key},
                 {"rows_live", r.rows_live},
                 {"rows_backup", r.rows_backup},
                 {"matching", r.matching},
                 {"not_yet_backed_up", r.not_yet_backed_up},
                 {"deleted_since_backup", r.deleted_since_backup},
                 {"mismatched", r.mismatched},
                 {"mismatch_keys", r.mismatch_keys}};
    PrintJson(j);
    return;
  }
  std::string line = "verify db: " + Plural(r.chunks_checked, "chunk") + " in " +
                     Plural(r.manifests_checked, "manifest") + " checked, " +
                     std::to_string(r.corrupt.size()) + " damaged";
  if (f.opts.with_db)
    line += "; table: " + Plural(r.rows_live, "row") + ", " + std::to_string(r.matching) +
            " match the backup, " + std::to_string(r.not_yet_backed_up) +
            " changed since (not yet backed up), " + std::to_string(r.deleted_since_backup) +
            " deleted since, " + std::to_string(r.mismatched) + " mismatched";
  log::Info(line);
}

Status RunVerifyDb(Flags& f, const GlobalOptions& global) {
  auto fail = [&](Status st) { return FailJson(f.json, std::move(st)); };
  if (Status st = CheckVerifyDbFlags(f); !st.ok()) return fail(st);
  // The config supplies the destination when --dest is absent, the key file ([db]
  // encrypt_key_file) and the logging.
  auto target = OpenForReading(global, "db", f.dest, f.store);
  if (!target.ok()) return fail(target.status());
  if (Status st = LoadDecryptionKey(f.key_file, &target->config); !st.ok()) return fail(st);
  const auto& store = target->store;
  if (Status st = ExplainEmpty(*store, "db", Status::Ok()); !st.ok()) return fail(st);
  DbVerifyResult r;
  Progress progress("verify db", global.quiet ? Progress::Mode::kOff : Progress::Mode::kAuto);
  f.opts.progress = &progress;
  const RunIdentity me = NewRunIdentity();
  Status st = RunDbVerify(*store, f.opts, &r);
  auto n = [](uint64_t v) { return static_cast<int64_t>(v); };
  RecordCheck(*store, "verify", "db", me, st,
              {{"manifests", n(r.manifests_checked)},
               {"chunks", n(r.chunks_checked)},
               {"corrupt", n(r.corrupt.size())},
               {"mismatched", n(r.mismatched)}});
  if (!st.ok() && !st.Is(ErrorKind::kCorrupt) && !st.Is(ErrorKind::kMismatch)) return fail(st);
  ReportVerifyDb(f, r, st);
  return st;
}

}  // namespace

Runner SetupVerifyDb(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--dest", f->dest,
                 "Destination URL holding the backups (default: the first configured db "
                 "destination)");
  AddDbFlags(cmd, &f->opts.pg, false);
  cmd.add_option(
      "--table", f->opts.table,
      "With --db: compare only this table (default: every table of the newest manifest)");
  auto* manifest = cmd.add_option(
      "--manifest", f->opts.point.manifest,
      "With --db: compare with this manifest: latest (default), an id, a unique prefix or the "
      "stamp YYYYMMDD_HHMMSS");
  cmd.add_option("--as-of", f->as_of,
                 "With --db: compare with the newest manifest at or before this time (ISO 8601)")
      ->excludes(manifest);
  AddSettingFlag(cmd, "verify db.workers", &f->opts.workers)->check(CLI::Range(1, 64));
  cmd.add_flag("--json", f->json, "Print one JSON object with the result");
  AddStoreFlags(cmd, &f->store);
  AddEncryptKeyFlag(cmd, &f->key_file);
  return [f, &global]() -> Status { return RunVerifyDb(*f, global); };
}

}  // namespace dredge
