#include "commands/backup_db.h"

#include <algorithm>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/option_flags.h"
#include "cli/output.h"
#include "cli/store_flags.h"
#include "commands/db_flags.h"
#include "commands/db_plan_report.h"
#include "commands/db_retention.h"
#include "commands/encrypt_flags.h"
#include "commands/run_hooks.h"
#include "commands/upload_flags.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/time_util.h"
#include "config/byte_size.h"
#include "engine/db/exporter.h"
#include "ops/retention_store.h"
#include "ops/run_scope.h"

namespace dredge {
namespace {

struct Flags {
  std::string key_file;
  std::vector<std::string> dests;
  std::vector<std::string> tables;
  std::string chunk_bytes, compress;
  int64_t chunk_rows = 0;
  int workers = 0;
  PgOptions pg;  // --db and the timeouts as given
  bool json = false;
  DbBackupRequest request;
  OpsFlags ops;
  CLI::Option* statement_timeout_opt = nullptr;
  CLI::Option* lock_timeout_opt = nullptr;
};

Status Run(Flags& f, const GlobalOptions& global) {
  ConfigOverrides o;
  for (const auto& url : f.dests) o.db_dest.push_back(DestinationFromUrl(url));
  if (!f.pg.conninfo.empty()) o.db_conninfo = f.pg.conninfo;
  if (f.tables.size() == 1) o.db_table = f.tables[0];
  if (f.chunk_rows > 0) o.db_chunk_size = f.chunk_rows;
  if (f.workers > 0) o.db_workers = f.workers;
  if (!f.compress.empty()) o.db_compress = f.compress;
  if (!f.chunk_bytes.empty()) {
    DREDGE_ASSIGN_OR_RETURN(uint64_t b, ParseByteSize(f.chunk_bytes, "--chunk-bytes"));
    if (b == 0) return Status::Usage("--chunk-bytes must be above zero (e.g. 64M)");
    o.db_chunk_bytes = b;
  }
  DREDGE_ASSIGN_OR_RETURN(DredgeConfig config, PrepareRun(global, o, f.ops));
  if (!f.tables.empty()) {  // --table replaces whatever the config names
    config.db.tables = f.tables.size() > 1 ? f.tables : std::vector<std::string>{};
    config.db.all_tables = false;
  }
  DREDGE_ASSIGN_OR_RETURN(f.request.encrypt, LoadEncryptKey(f.key_file, &config));
  // Timeouts given as flags keep PostgreSQL's own units ("5min"); the config holds milliseconds.
  if (f.statement_timeout_opt->count() > 0) f.request.statement_timeout = f.pg.statement_timeout;
  if (f.lock_timeout_opt->count() > 0) f.request.lock_timeout = f.pg.lock_timeout;
  auto run_log = OpenTierLog(config, "db");
  f.request.metrics_file = f.ops.metrics_file;
  f.request.quiet = global.quiet;
  f.request.json = f.json;
  std::vector<DestOutcome> outcomes;
  for (const auto& d : config.DestinationsFor("db")) {
    outcomes.push_back(BackupDbTo(config, d, f.request));
    RunHooksAfter(config, outcomes.back());
    if (f.json) PrintJson(outcomes.back().summary);
  }
  if (outcomes.size() == 1) return AlreadyReported(outcomes[0].status);
  return CombinedStatus(outcomes, "destinations");
}

nlohmann::json SummaryJson(const BackupResult& r) {
  nlohmann::json tables = nlohmann::json::array(), skipped = nlohmann::json::array();
  for (const auto& t : r.tables)
    tables.push_back({{"table", t.table},
                      {"mode", t.mode},
                      {"full_reason", t.full_reason},
                      {"key", t.key_source},
                      {"rows", t.rows},
                      {"chunks", t.chunks},
                      {"bytes", t.bytes},
                      {"live_keys", t.live_keys}});
  for (const auto& n : r.not_backed_up)
    skipped.push_back({{"name", n.name}, {"kind", n.kind}, {"action", n.action}});
  return {{"rows", r.rows},           {"chunks", r.chunks},
          {"bytes", r.bytes},         {"manifest", r.manifest_key},
          {"mode", r.mode},           {"full_reason", r.full_reason},
          {"live_keys", r.live_keys}, {"seconds", r.seconds},
          {"tables", tables},         {"not_backed_up", skipped}};
}

void LogSummary(const BackupResult& r, const std::string& url) {
  if (r.tables.size() > 1)
    for (const auto& t : r.tables)
      log::Info("backup db: " + t.table + ": " + t.mode + ", " + std::to_string(t.rows) +
                " rows in " + std::to_string(t.chunks) + " chunks" +
                (t.key_source == kKeyNone ? " (no key: read whole)" : ""));
  log::Info("backup db: " + r.mode + " run to " + url + " wrote " + std::to_string(r.rows) +
            " rows of " + std::to_string(r.tables.size()) + " table(s) in " +
            std::to_string(r.chunks) + " chunks (" + std::to_string(r.bytes) + " bytes), " +
            std::to_string(r.live_keys) + " live keys; manifest " + r.manifest_key);
}

// Retention extension under Object Lock (db_retention.h); null without it. A failure is named
// in the summary and the log but does not fail the backup, which is stored.
// `run_start` (Unix seconds) is when the run began writing: what it wrote is not due yet.
nlohmann::json ExtendAfterBackup(ObjectStore& store, const std::string& manifest_key,
                                 int64_t run_start) {
  const auto lock = LockPolicyOf(store);
  if (!lock) return nullptr;
  auto x = ExtendDbRetention(store, *lock, manifest_key, run_start);
  if (!x.ok()) {
    log::Warn("backup db: cannot extend the retention of what " + manifest_key +
              " references: " + x.status().message());
    return {{"error", x.status().message()}};
  }
  log::Info("backup db: retention: " + std::to_string(x->objects) + " locked objects referenced, " +
            std::to_string(x->extended) + " extended to " + FormatIsoUtc(x->until) + ", " +
            std::to_string(x->failed) + " failed");
  return {{"objects", x->objects},  {"looked_up", x->looked_up}, {"extended", x->extended},
          {"failed", x->failed},    {"requests", x->requests},   {"until", FormatIsoUtc(x->until)},
          {"problems", x->problems}};
}

RunTotals TotalsOf(const BackupResult& r) {
  RunTotals totals;
  totals.objects = r.chunks;
  totals.bytes = r.bytes;
  totals.rows = r.rows;
  totals.snapshot = r.manifest_key;
  int64_t keyless = std::count_if(r.tables.begin(), r.tables.end(),
                                  [](const auto& t) { return t.key_source == kKeyNone; });
  totals.counts = {{"chunks", static_cast<int64_t>(r.chunks)},
                   {"live_keys", static_cast<int64_t>(r.live_keys)},
                   {"tables", static_cast<int64_t>(r.tables.size())},
                   {"tables_without_key", keyless},
                   {"not_backed_up", static_cast<int64_t>(r.not_backed_up.size())}};
  return totals;
}

DbBackupOptions OptionsOf(const DredgeConfig& config, const DbBackupRequest& req) {
  DbBackupOptions opts;
  opts.pg.conninfo = config.db.conninfo;
  opts.pg.statement_timeout = req.statement_timeout.empty()
                                  ? PgMillis(config.db.statement_timeout_ms)
                                  : req.statement_timeout;
  opts.pg.lock_timeout =
      req.lock_timeout.empty() ? PgMillis(config.db.lock_timeout_ms) : req.lock_timeout;
  opts.selection = SelectionOf(config.db);
  opts.settings.chunk_rows = static_cast<uint64_t>(config.db.chunk_size);
  opts.settings.chunk_bytes = config.db.chunk_bytes;
  opts.settings.workers = config.db.workers;
  opts.settings.zstd = config.db.compress == "zstd";
  opts.encrypt = req.encrypt;
  return opts;
}

// The dry run: no lock, lease, run record, chunk or manifest; the plan goes into `*summary`
// (and on stdout unless `json`).
Status DryRun(ObjectStore& store, const DbBackupOptions& opts, const std::string& url, bool json,
              nlohmann::json* summary) {
  (*summary)["dry_run"] = true;  // failed or not, no hook reports it (commands/run_hooks.h)
  log::Info("backup db to " + url + " (dry run)");
  DREDGE_ASSIGN_OR_RETURN(DbBackupPlan plan, PlanDbBackupRun(store, opts));
  const int64_t now = NowUnixNanos() / 1000000000LL;
  (*summary)["plan"] = DbPlanJson(plan, now);
  if (!json) PrintDbPlan(plan, url, now);
  return Status::Ok();
}

// The backup under the tier's lock, with its run record (ops/run_scope.h).
Status BackupInScope(const std::shared_ptr<ObjectStore>& store, DbBackupOptions opts,
                     const DestinationConfig& dest, const DbBackupRequest& req,
                     nlohmann::json* summary) {
  Progress progress("backup db", req.quiet ? Progress::Mode::kOff : Progress::Mode::kAuto);
  opts.progress = &progress;
  RunScopeOptions so;
  so.tier = "db";
  so.metrics_file = req.metrics_file;
  so.abort_incomplete_after = AbortIncompleteAfter(req.abort_incomplete_after, dest);
  DREDGE_ASSIGN_OR_RETURN(auto scope, RunScope::Begin(store, so));
  const int64_t run_start = NowUnixNanos() / 1000000000LL;
  auto r = RunDbBackup(*store, opts);
  RunTotals totals;
  if (r.ok()) {
    *summary = SummaryJson(*r);
    totals = TotalsOf(*r);
    LogSummary(*r, dest.url);
    (*summary)["retention"] = ExtendAfterBackup(*store, r->manifest_key, run_start);
  }
  (*summary)["incomplete_uploads_aborted"] = scope->uploads().aborted;
  (*summary)["run_id"] = scope->run().run_id;
  return scope->Finish(r.ok() ? Status::Ok() : r.status(), totals);
}

}  // namespace

TableSelection SelectionOf(const DbConfig& db) {
  TableSelection sel;
  sel.all = db.all_tables;
  sel.schemas = db.schemas;
  sel.exclude = db.exclude_tables;
  sel.names = db.tables.empty() ? std::vector<std::string>{db.table} : db.tables;
  return sel;
}

DestOutcome BackupDbTo(const DredgeConfig& config, const DestinationConfig& dest,
                       const DbBackupRequest& req) {
  DestOutcome out{"db", dest.url, Status::Ok(), nlohmann::json::object()};
  DbBackupOptions opts = OptionsOf(config, req);
  Status outcome;
  auto store = OpenDestination(dest.url, MergeStoreOptions(dest, req.store_flags));
  if (!store.ok())
    outcome = store.status();
  else if (req.dry_run)
    outcome = DryRun(**store, opts, dest.url, req.json, &out.summary);
  else
    outcome = BackupInScope(*store, opts, dest, req, &out.summary);
  if (!outcome.ok()) {
    log::Error("backup db to " + dest.url + ": " + outcome.message());
    out.summary["error"] = outcome.message();
  }
  out.status = outcome;
  out.summary["ok"] = outcome.ok();
  out.summary["destination"] = dest.url;
  return out;
}

Runner SetupBackupDb(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  AddDbFlags(cmd, &f->pg, false);
  f->statement_timeout_opt = cmd.get_option("--statement-timeout");
  f->lock_timeout_opt = cmd.get_option("--lock-timeout");
  cmd.add_option("--table", f->tables,
                 "Table to back up (repeatable: all from one snapshot; default: [db] tables or "
                 "table, articles)");
  cmd.add_option("--dest", f->dests,
                 "Destination URL (file://… or s3://bucket/prefix; repeatable; default: the "
                 "configured [[db.destination]] entries)");
  AddSettingFlag(cmd, "db.chunk_size", &f->chunk_rows)->check(CLI::PositiveNumber);
  AddSettingFlag(cmd, "db.chunk_bytes", &f->chunk_bytes);
  AddSettingFlag(cmd, "db.workers", &f->workers)->check(CLI::Range(1, 64));
  AddSettingFlag(cmd, "db.compress", &f->compress)->check(CLI::IsMember({"none", "zstd"}));
  cmd.add_flag("--dry-run", f->request.dry_run,
               "Print the plan (each table's mode and why, chunk numbers, connections, the "
               "manifest's name); write nothing");
  cmd.add_flag("--json", f->json, "Print one JSON object per destination with the result");
  AddStoreFlags(cmd, &f->request.store_flags);
  AddEncryptKeyFlag(cmd, &f->key_file);
  AddOpsFlags(cmd, &f->ops, true);
  AddAbortIncompleteFlag(cmd, &f->request.abort_incomplete_after);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
