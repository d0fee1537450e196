#include "commands/drill.h"

#include <cstdio>
#include <memory>
#include <optional>

#include "cli/option_flags.h"
#include "cli/output.h"
#include "cli/store_flags.h"
#include "commands/db_flags.h"
#include "commands/drill_dry_run.h"
#include "commands/encrypt_flags.h"
#include "commands/files_command_support.h"
#include "commands/run_setup.h"
#include "common/exit_codes.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/time_util.h"
#include "config/byte_size.h"
#include "engine/drill/db_drill.h"
#include "engine/drill/files_drill.h"
#include "engine/drill/sample.h"
#include "ops/check_record.h"
#include "ops/metrics.h"

namespace dredge {
namespace {

using json = nlohmann::json;

struct Flags {
  std::vector<std::string> tiers, dests;
  std::string source, table, scratch_db, scratch_dir, sample_bytes = "1G", key_file;
  std::string snapshot, manifest, as_of;
  PgOptions pg;
  uint64_t sample = 20, sample_rows = 1000, seed = 0;
  CLI::Option* seed_opt = nullptr;
  int workers = 8;
  bool json = false, keep = false, dry_run = false;
  StoreOptions store;
  OpsFlags ops;
};

json ChecksJson(const std::vector<DrillCheck>& checks) {
  json out = json::array();
  for (const auto& c : checks)
    out.push_back(
        {{"check", c.name}, {"result", OutcomeWord(c.outcome)}, {"detail", log::Scrub(c.detail)}});
  return out;
}

void PrintChecks(const std::vector<DrillCheck>& checks, const std::string& dest) {
  for (const auto& c : checks)
    PrintTextF("%s %s [%s]: %s\n", OutcomeWord(c.outcome), c.name.c_str(), dest.c_str(),
               log::Scrub(c.detail).c_str());
}

json FilesJson(const FilesDrillReport& r) {
  json changed = json::array(), bad = json::array();
  for (const auto& p : r.changed) changed.push_back({{"path", p.path}, {"why", p.error}});
  for (const auto& p : r.mismatched) bad.push_back({{"path", p.path}, {"error", p.error}});
  return {{"snapshot", r.snapshot},
          {"sampled", r.sampled},
          {"bytes", r.bytes},
          {"matched", r.matched},
          {"source_equal", r.source_equal},
          {"changed", changed},
          {"mismatched", bad},
          {"scratch_dir", r.scratch_dir},
          {"scratch_removed", r.scratch_removed},
          {"checks", ChecksJson(r.checks)}};
}

json DbJson(const DbDrillReport& r) {
  json changed = json::array(), bad = json::array();
  for (const auto& p : r.rows_compared.changed)
    changed.push_back({{"key", p.key}, {"why", p.error}});
  for (const auto& p : r.rows_compared.mismatched)
    bad.push_back({{"key", p.key}, {"error", p.error}});
  return {{"manifest", r.manifest},
          {"rows", r.rows},
          {"live_keys", r.live_keys},
          {"compared", r.rows_compared.compared},
          {"equal", r.rows_compared.equal},
          {"source_sampled", r.rows_compared.source_sampled},
          {"changed", changed},
          {"mismatched", bad},
          {"source_table", r.source_table},
          {"scratch_table", r.scratch_table},
          {"scratch_removed", r.scratch_removed},
          {"checks", ChecksJson(r.checks)}};
}

// The members every run's summary ends with.
void CloseSummary(DestOutcome& out) {
  out.summary["ok"] = out.status.ok();
  out.summary["destination"] = out.destination;
  if (!out.status.ok()) out.summary["error"] = log::Scrub(out.status.message());
}

// Opens and locks `dest`, then runs `drill` on it; the outcome carries its summary.
template <typename Fn>
DestOutcome DrillOne(const std::string& tier, const DestinationConfig& dest, const Flags& f,
                     Fn drill) {
  DestOutcome out{tier, dest.url, Status::Ok(), json::object()};
  int64_t start = NowUnixNanos();
  auto store = OpenDestination(dest.url, MergeStoreOptions(dest, f.store));
  std::vector<DrillCheck> checks;
  if (!store.ok()) {
    out.status = store.status();
  } else if (auto lock = LockForRestore(*store, tier); !lock.ok()) {
    out.status = lock.status();
  } else {
    RunIdentity me = NewRunIdentity();
    out.status = drill(**store, out.summary, checks);
    auto count = [&](const char* k) {
      const auto& v = out.summary.contains(k) ? out.summary[k] : json();
      return v.is_number() ? v.get<int64_t>() : int64_t{0};
    };
    RecordCheck(**store, "drill", tier, me, out.status,
                {{"sampled", count("sampled")},
                 {"bytes", count("bytes")},
                 {"rows", count("rows")},
                 {"checks", static_cast<int64_t>(checks.size())}});
  }
  if (!out.status.ok() && checks.empty())
    checks.push_back({tier + " drill", DrillCheck::Outcome::kFail, out.status.message()});
  if (!out.summary.contains("checks")) out.summary["checks"] = ChecksJson(checks);
  if (!f.json) PrintChecks(checks, dest.url);
  CloseSummary(out);
  if (!f.ops.metrics_file.empty()) {
    RunMetrics m;
    m.tier = "drill-" + tier;
    m.destination = dest.url;
    m.success = out.status.ok();
    m.exit_code = ExitCodeFor(out.status);
    m.start_ns = start;
    m.end_ns = NowUnixNanos();
    m.bytes = out.summary.value("bytes", uint64_t{0});
    m.rows = out.summary.value("rows", uint64_t{0});
    m.objects = out.summary.value("sampled", uint64_t{0});
    Status st = UpdateMetricsFile(f.ops.metrics_file, m);
    if (!st.ok()) log::Warn("cannot update the metrics file: " + st.message());
  }
  return out;
}

bool Wants(const Flags& f, const std::string& tier, bool configured) {
  if (f.tiers.empty()) return configured;
  for (const auto& t : f.tiers)
    if (t == tier) return true;
  return false;
}

// What the flags decide before any config is read.
struct DrillInputs {
  uint64_t sample_bytes = 0;
  uint64_t seed = 0;
  std::optional<int64_t> as_of;
};

Result<DrillInputs> ParseDrillInputs(Flags& f) {
  DrillInputs in;
  DREDGE_ASSIGN_OR_RETURN(in.sample_bytes, ParseByteSize(f.sample_bytes, "--sample-bytes"));
  DREDGE_RETURN_IF_ERROR(CheckWorkers(f.workers));
  in.seed = f.seed_opt->count() ? f.seed : RandomSeed();
  if (!f.as_of.empty()) {
    DREDGE_ASSIGN_OR_RETURN(int64_t t, ParseIsoTime(f.as_of));
    in.as_of = t;
  }
  return in;
}

// Drills every destination of `tier`: `drill` (store → {its JSON, its report with checks and
// status}) once per destination. Returns the first one's summary, for the command's
// top-level member of the tier.
template <typename Drill>
std::optional<json> DrillEach(const std::string& tier, const DredgeConfig& config, const Flags& f,
                              std::vector<DestOutcome>& outcomes, Drill drill) {
  std::optional<json> first;
  for (const auto& d : config.DestinationsFor(tier)) {
    outcomes.push_back(DrillOne(tier, d, f, [&](ObjectStore& s, json& j, auto& checks) {
      auto [summary, report] = drill(s);
      j = std::move(summary);
      checks = report.checks;
      return report.status;
    }));
    if (!first) first = outcomes.back().summary;
  }
  return first;
}

// --dry-run: plans `tier` on every destination (`load`: store → Result<plan>) and shows each plan
// (`to_json` for its summary, `print` unless --json); executes nothing: no lock, no scratch
// space, no check record, no metrics. Returns the first destination's summary, as DrillEach does.
template <typename Load, typename ToJson, typename Print>
std::optional<json> PlanEach(const std::string& tier, const DredgeConfig& config, const Flags& f,
                             std::vector<DestOutcome>& outcomes, Load load, ToJson to_json,
                             Print print) {
  std::optional<json> first;
  for (const auto& d : config.DestinationsFor(tier)) {
    DestOutcome out{tier, d.url, Status::Ok(), json::object()};
    auto store = OpenDestination(d.url, MergeStoreOptions(d, f.store));
    auto plan = store.ok() ? load(**store) : decltype(load(**store))(store.status());
    out.status = plan.status();
    if (plan.ok()) out.summary = to_json(*plan);
    if (plan.ok() && !f.json) print(*plan, d.url);
    if (!out.status.ok() && !f.json)
      PrintTextF("FAIL %s plan [%s]: %s", tier.c_str(), d.url.c_str(),
                 log::Scrub(out.status.message()).c_str());
    out.summary["dry_run"] = true;
    CloseSummary(out);
    outcomes.push_back(std::move(out));
    if (!first) first = outcomes.back().summary;
  }
  return first;
}

FilesDrillOptions FilesOptions(const DredgeConfig& config, const Flags& f, const DrillInputs& in) {
  FilesDrillOptions fo;
  fo.source = config.files.source;
  fo.sample_count = f.sample;
  fo.sample_bytes = in.sample_bytes;
  fo.seed = in.seed;
  fo.scratch_parent = f.scratch_dir;
  fo.keep = f.keep;
  fo.workers = f.workers;
  fo.snapshot = {f.snapshot, in.as_of};
  return fo;
}

// Drills every files destination (plans only, with --dry-run); the first one's report for the
// top-level "files" member.
std::optional<json> DrillFiles(const DredgeConfig& config, const Flags& f, const DrillInputs& in,
                               const GlobalOptions& global, std::vector<DestOutcome>& outcomes) {
  FilesDrillOptions fo = FilesOptions(config, f, in);
  if (f.dry_run)
    return PlanEach(
        "files", config, f, outcomes, [&](ObjectStore& s) { return LoadFilesDrillPlan(s, fo); },
        FilesDrillPlanJson, PrintFilesDrillPlan);
  Progress progress("drill files", global.quiet ? Progress::Mode::kOff : Progress::Mode::kAuto);
  fo.progress = &progress;
  return DrillEach("files", config, f, outcomes, [&](ObjectStore& s) {
    FilesDrillReport r = RunFilesDrill(s, fo);
    return std::make_pair(FilesJson(r), r);
  });
}

DbDrillOptions DbOptions(const DredgeConfig& config, const Flags& f, const DrillInputs& in) {
  DbDrillOptions dbo;
  dbo.source = f.pg;
  dbo.source.conninfo = config.db.conninfo;
  if (!f.scratch_db.empty()) {
    dbo.scratch = f.pg;
    dbo.scratch->conninfo = f.scratch_db;
  }
  dbo.table = f.table;
  dbo.sample_rows = f.sample_rows;
  dbo.seed = in.seed;
  dbo.keep = f.keep;
  dbo.workers = config.db.workers;
  dbo.point.manifest = f.manifest;
  dbo.point.as_of_unix_nanos = in.as_of;
  return dbo;
}

// Drills every database destination (plans only, with --dry-run); the first one's report for
// the top-level "db" member.
std::optional<json> DrillDb(const DredgeConfig& config, const Flags& f, const DrillInputs& in,
                            const GlobalOptions& global, std::vector<DestOutcome>& outcomes) {
  DbDrillOptions dbo = DbOptions(config, f, in);
  if (f.dry_run)
    return PlanEach(
        "db", config, f, outcomes,
        [&](ObjectStore& s) { return LoadDbDrillPlan(s, dbo, RandomSeed()); }, DbDrillPlanJson,
        PrintDbDrillPlan);
  Progress progress("drill db", global.quiet ? Progress::Mode::kOff : Progress::Mode::kAuto);
  dbo.progress = &progress;
  return DrillEach("db", config, f, outcomes, [&](ObjectStore& s) {
    DbDrillReport r = RunDbDrill(s, dbo);
    return std::make_pair(DbJson(r), r);
  });
}

void PrintDrillResult(const Flags& f, const std::vector<DestOutcome>& outcomes, uint64_t seed,
                      const std::optional<json>& files_json, const std::optional<json>& db_json) {
  const int code = CombinedExitCode(outcomes);
  if (!f.json) {
    const char* verdict = f.dry_run
                              ? (code == kExitOk ? "dry run: nothing restored" : "dry run FAILED")
                              : (code == kExitOk ? "PASSED" : "FAILED");
    PrintTextF("drill %s (seed %llu%s)", verdict, static_cast<unsigned long long>(seed),
               code == kExitOk ? "" : (", exit " + std::to_string(code)).c_str());
    return;
  }
  json runs = json::array();
  for (const auto& out : outcomes) {
    json r = out.summary;
    r["tier"] = out.tier;
    r["exit_code"] = ExitCodeFor(out.status);
    runs.push_back(r);
  }
  json j = {{"command", "drill"},   {"ok", code == kExitOk}, {"exit_code", code},
            {"dry_run", f.dry_run}, {"seed", seed},          {"runs", runs}};
  if (files_json) j["files"] = *files_json;
  if (db_json) j["db"] = *db_json;
  PrintJson(j);
}

Status Run(Flags& f, const GlobalOptions& global) {
  auto fail = [&](Status st) { return FailJson(f.json, std::move(st), "drill"); };
  auto in = ParseDrillInputs(f);
  if (!in.ok()) return fail(in.status());
  ConfigOverrides o;
  for (const auto& d : f.dests) o.dest.push_back(DestinationFromUrl(d));
  if (!f.source.empty()) o.files_source = f.source;
  if (!f.pg.conninfo.empty()) o.db_conninfo = f.pg.conninfo;
  auto config = PrepareRun(global, o, f.ops);
  if (!config.ok()) return fail(config.status());
  if (Status st = LoadDecryptionKey(f.key_file, &*config); !st.ok()) return fail(st);
  const bool files = Wants(f, "files", config->files.configured || !f.source.empty());
  const bool db = Wants(f, "db", config->db.configured || !f.pg.conninfo.empty());
  if (!files && !db)
    return fail(Status::Usage(
        "nothing to drill: configure [files]/[db] in dredge.toml, or give --source and/or --db "
        "(with --dest), or name the tier with --tier files|db"));
  auto run_log = OpenTierLog(*config, "drill");
  log::Info("drill with seed " + std::to_string(in->seed) + " (repeat with --seed " +
            std::to_string(in->seed) + ")");
  std::vector<DestOutcome> outcomes;
  std::optional<json> files_json, db_json;
  if (files) files_json = DrillFiles(*config, f, *in, global, outcomes);
  if (db) db_json = DrillDb(*config, f, *in, global, outcomes);
  PrintDrillResult(f, outcomes, in->seed, files_json, db_json);
  return AlreadyReported(CombinedStatus(outcomes, "drills"));
}

}  // namespace

Runner SetupDrill(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--tier", f->tiers,
                 "Drill only this tier: files or db (repeatable; default: "
                 "every configured tier)")
      ->check(CLI::IsMember({"files", "db"}));
  cmd.add_option("--dest", f->dests,
                 "Store URL to drill (repeatable; default: each tier's configured destinations)");
  cmd.add_option("--source", f->source,
                 "Files tier: the live directory to compare with (default: [files] source)");
  AddDbFlags(cmd, &f->pg, false);
  cmd.add_option("--table", f->table,
                 "Db tier: the live table to compare with (default: the backed-up table)");
  cmd.add_option("--scratch-db", f->scratch_db,
                 "Db tier: restore the scratch copy into this database (default: the source "
                 "database, in a schema dredge_drill_<hex> the drill creates and drops)");
  cmd.add_option("--scratch-dir", f->scratch_dir,
                 "Files tier: make the temporary restore directory here (default: $TMPDIR)");
  cmd.add_option("--snapshot", f->snapshot,
                 "Files tier: drill this snapshot (latest, an id, a unique prefix or the stamp; "
                 "default: the newest)");
  cmd.add_option("--manifest", f->manifest,
                 "Db tier: drill this manifest (latest, an id, a unique prefix or the stamp; "
                 "default: the newest)");
  cmd.add_option("--as-of", f->as_of,
                 "Drill the newest snapshot/manifest at or before this time (ISO 8601)");
  AddSettingFlag(cmd, "drill.sample", &f->sample)
      ->check(CLI::Range(uint64_t{1}, uint64_t{1000000}));
  AddSettingFlag(cmd, "drill.sample_bytes", &f->sample_bytes);
  AddSettingFlag(cmd, "drill.sample_rows", &f->sample_rows)
      ->check(CLI::Range(uint64_t{1}, uint64_t{10000000}));
  f->seed_opt = AddSettingFlag(cmd, "drill.seed", &f->seed);
  cmd.add_flag("--keep", f->keep,
               "Leave the restored files and the scratch schema for inspection (paths printed)");
  AddSettingFlag(cmd, "drill.workers", &f->workers);
  cmd.add_flag("--dry-run", f->dry_run,
               "Print what each destination's drill would restore and check; restore nothing, "
               "create no scratch space, write no record");
  cmd.add_flag("--json", f->json, "Print one JSON object at the end, nothing else on stdout");
  AddStoreFlags(cmd, &f->store);
  AddEncryptKeyFlag(cmd, &f->key_file);
  AddOpsFlags(cmd, &f->ops, true);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
