#include "commands/status.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/output.h"
#include "cli/store_flags.h"
#include "commands/point_lock_report.h"
#include "common/exit_codes.h"
#include "common/log.h"
#include "common/time_util.h"
#include "config/byte_size.h"
#include "config/config_file.h"
#include "ops/hooks.h"
#include "ops/status_report.h"

namespace dredge {
namespace {

struct StatusOptions {
  std::vector<std::string> dests;
  StoreOptions store;
  std::string tier;
  std::string max_age;
  bool json = false;
};

bool Contains(const std::vector<DestinationConfig>& list, const std::string& url) {
  return std::any_of(list.begin(), list.end(), [&](const auto& d) { return d.url == url; });
}

nlohmann::ordered_json RecordJson(const std::optional<RunRecord>& r, int64_t now_ns) {
  if (!r) return nullptr;
  nlohmann::ordered_json counts = nlohmann::ordered_json::object();
  for (const auto& [k, v] : r->counts) counts[k] = v;
  return {{"start", FormatIsoUtcNanos(r->run.start_ns)},
          {"end", FormatIsoUtcNanos(r->end_ns)},
          {"age_s", (now_ns - r->end_ns) / 1000000000},
          {"duration_s", r->duration_seconds()},
          {"status", r->status},
          {"exit_code", r->exit_code},
          {"error", r->error},
          {"objects", r->objects},
          {"bytes", r->bytes},
          {"rows", r->rows},
          {"counts", counts},
          {"host", r->run.host},
          {"run_id", r->run.run_id},
          {"key", r->key}};
}

std::string Duration(double s) {
  int64_t secs = static_cast<int64_t>(s + 0.5);
  if (secs < 60) return std::to_string(secs) + "s";
  return FormatAge(secs);
}

// A db run's tables, and those read whole every run for want of a key (backup db records them).
void PrintDbTables(const RunRecord& ok) {
  auto count = [&](const char* k) {
    auto it = ok.counts.find(k);
    return it == ok.counts.end() ? int64_t{0} : it->second;
  };
  if (count("tables") == 0) return;
  std::string line = std::to_string(count("tables")) + " table(s)";
  if (count("tables_without_key") > 0)
    line += ", " + std::to_string(count("tables_without_key")) +
            " without a key (read whole every run, restored whole)";
  if (count("not_backed_up") > 0)
    line += ", " + std::to_string(count("not_backed_up")) +
            " relation(s) not backed up as tables (see the run log)";
  PrintTextF("  %-6s tables     %s\n", "", line.c_str());
}

void PrintLock(const DestLock& l) {
  if (!l.asked) return;
  std::string configured =
      l.configured.enabled() ? l.configured.mode + ", retain " + l.configured.retain : "none";
  PrintTextF("  lock       configured: %s\n", configured.c_str());
  for (const auto& p : l.points)
    PrintTextF("  %-6s lock       %s\n", p.tier.c_str(), PointLockText(p).c_str());
  for (const auto& w : l.warnings) PrintTextF("  WARN   %s\n", log::Scrub(w).c_str());
}

void PrintHuman(const std::vector<DestinationStatus>& all, const std::vector<DestLock>& locks,
                int64_t now_ns, int64_t max_age_s) {
  for (size_t i = 0; i < all.size(); ++i) {
    const DestinationStatus& d = all[i];
    PrintTextF("%s\n", d.description.c_str());
    if (!d.error.ok()) {
      PrintTextF("  FAIL  %s\n\n", log::Scrub(d.error.message()).c_str());
      continue;
    }
    PrintTextF("  store      %llu objects, %s; %llu snapshots, %llu manifests, %llu chunks\n",
               static_cast<unsigned long long>(d.objects), FormatBytes(d.bytes).c_str(),
               static_cast<unsigned long long>(d.snapshots),
               static_cast<unsigned long long>(d.manifests),
               static_cast<unsigned long long>(d.chunks));
    PrintLock(locks[i]);
    for (const auto& t : d.tiers) {
      const auto& ok = t.runs.last_success;
      const auto& bad = t.runs.last_failure;
      std::string flag = t.stale ? "  STALE (max " + FormatAge(max_age_s) + ")" : "";
      if (ok) {
        std::string rows = ok->rows ? ", " + std::to_string(ok->rows) + " rows" : "";
        PrintTextF("  %-6s last ok    %s  %s ago  took %s  %llu objects, %s%s%s\n", t.tier.c_str(),
                   FormatIsoUtc(ok->end_ns / 1000000000).c_str(), FormatAge(t.age_s).c_str(),
                   Duration(ok->duration_seconds()).c_str(),
                   static_cast<unsigned long long>(ok->objects), FormatBytes(ok->bytes).c_str(),
                   rows.c_str(), flag.c_str());
        PrintDbTables(*ok);
      } else {
        PrintTextF("  %-6s last ok    never (%zu runs recorded)%s\n", t.tier.c_str(), t.runs.total,
                   flag.c_str());
      }
      if (bad) {
        PrintTextF("  %-6s last fail  %s  %s ago  exit %d: %s\n", "",
                   FormatIsoUtc(bad->end_ns / 1000000000).c_str(),
                   FormatAge((now_ns - bad->end_ns) / 1000000000).c_str(), bad->exit_code,
                   log::Scrub(bad->error).c_str());
      }
    }
    PrintTextF("\n");
  }
}

void PrintStatusJson(const std::vector<DestinationStatus>& all, const std::vector<DestLock>& locks,
                     int64_t now_ns, int64_t max_age_s, bool stale) {
  nlohmann::ordered_json dests = nlohmann::ordered_json::array();
  for (size_t i = 0; i < all.size(); ++i) {
    const DestinationStatus& d = all[i];
    nlohmann::ordered_json tiers = nlohmann::ordered_json::array();
    for (const auto& t : d.tiers)
      tiers.push_back({{"tier", t.tier},
                       {"runs", t.runs.total},
                       {"expected", t.expected},
                       {"stale", t.stale},
                       {"age_s", t.age_s < 0 ? nlohmann::ordered_json(nullptr)
                                             : nlohmann::ordered_json(t.age_s)},
                       {"last_success", RecordJson(t.runs.last_success, now_ns)},
                       {"last_failure", RecordJson(t.runs.last_failure, now_ns)}});
    dests.push_back(
        {{"url", d.url},
         {"store", d.description},
         {"error", d.error.ok() ? nlohmann::ordered_json(nullptr)
                                : nlohmann::ordered_json(log::Scrub(d.error.message()))},
         {"objects", d.objects},
         {"bytes", d.bytes},
         {"snapshots", d.snapshots},
         {"manifests", d.manifests},
         {"chunks", d.chunks},
         {"object_lock", DestLockJson(locks[i])},
         {"tiers", tiers}});
  }
  nlohmann::ordered_json out = {{"now", FormatIsoUtc(now_ns / 1000000000)},
                                {"max_age_s", max_age_s < 0 ? nlohmann::ordered_json(nullptr)
                                                            : nlohmann::ordered_json(max_age_s)},
                                {"stale", stale},
                                {"destinations", dests}};
  PrintJsonOrdered(out);
}

// [hooks] on_stale once per stale tier and destination, after the report is printed.
// DREDGE_RUN_ID names the newest good run (empty when there is none).
void RunStaleHooks(const HooksConfig& hooks, const std::vector<DestinationStatus>& all) {
  if (hooks.on_stale.empty()) return;
  for (const auto& d : all)
    for (const auto& t : d.tiers) {
      if (!t.stale) continue;
      HookEvent e{"on_stale", "", t.tier, d.url, kExitStale, ""};
      if (t.runs.last_success) e.run_id = t.runs.last_success->run.run_id;
      (void)RunHook(hooks.on_stale, e, std::chrono::milliseconds(hooks.timeout_ms));
    }
}

// The Object Lock of the newest restore point of each reported tier; the backup interval is
// --max-age (dredge has no schedule of its own to compare with).
DestLock LockOf(const Result<std::shared_ptr<ObjectStore>>& store, const DestinationStatus& ds,
                const ObjectLockSettings& configured, int64_t now_s, int64_t max_age_s) {
  if (!store.ok() || !ds.error.ok()) return {};
  std::vector<std::string> tiers;
  for (const auto& t : ds.tiers) tiers.push_back(t.tier);
  DestLock l = GatherDestLock(**store, configured, tiers, now_s, max_age_s);
  for (const auto& w : l.warnings) log::Warn(ds.description + ": " + w);
  return l;
}

// The tiers to ask about at one destination: --tier, else only the tiers configured for it (a
// tier that has run records here is still reported, as not expected); with no tier configured
// at all, both.
StatusQuery QueryFor(const StatusOptions& o, const DredgeConfig& config, const std::string& url) {
  StatusQuery q;
  if (!o.tier.empty()) {
    q.tiers = {{o.tier, true}};
    return q;
  }
  if (config.files.configured && Contains(config.DestinationsFor("files"), url))
    q.tiers.push_back({"files", true});
  if (config.db.configured && Contains(config.DestinationsFor("db"), url))
    q.tiers.push_back({"db", true});
  if (!config.files.configured && !config.db.configured)
    q.tiers = {{"files", false}, {"db", false}};
  return q;
}

// The status of one destination and its lock; adds its exit codes and problems.
void StatusOf(const DestinationConfig& dest, const StatusOptions& o, const DredgeConfig& config,
              int64_t max_age_s, int64_t now_ns, std::vector<DestinationStatus>& all,
              std::vector<DestLock>& locks, std::vector<int>& codes,
              std::vector<std::string>& problems) {
  DestinationStatus ds;
  ds.url = dest.url;
  ds.description = dest.url;
  StatusQuery q = QueryFor(o, config, dest.url);
  q.max_age_s = max_age_s;
  q.now_ns = now_ns;
  StoreOptions so = o.dests.empty() ? ToStoreOptions(dest) : o.store;
  auto store = OpenDestination(dest.url, so);
  if (!store.ok()) {
    ds.error = store.status();
  } else {
    ds.description = (*store)->Describe();
    ds.error = GatherStatus(**store, q, &ds);
  }
  locks.push_back(LockOf(store, ds, so.object_lock, now_ns / 1000000000, max_age_s));
  if (!ds.error.ok()) {
    codes.push_back(ExitCodeFor(ds.error));
    problems.push_back(ds.description + ": " + ds.error.message());
  }
  for (const auto& t : ds.tiers) {
    if (!t.stale) continue;
    codes.push_back(kExitStale);
    problems.push_back(t.tier + " backups on " + ds.description + " are stale: " +
                       (t.age_s < 0 ? std::string("no successful run recorded")
                                    : "newest good backup is " + FormatAge(t.age_s) + " old") +
                       " (--max-age " + o.max_age + ")");
  }
  all.push_back(std::move(ds));
}

// The command's outcome: Ok, Stale, or the kind of the destination error that set the code.
Status StatusOutcome(int code, const std::vector<std::string>& problems,
                     const std::vector<DestinationStatus>& all) {
  if (code == kExitOk) return Status::Ok();
  std::string message;
  for (const auto& p : problems) message += (message.empty() ? "" : "\n") + p;
  if (code == kExitStale)
    return Status(ErrorKind::kStale,
                  message + "\nRun the backup (see its log) or check the schedule");
  for (const auto& d : all)
    if (!d.error.ok() && ExitCodeFor(d.error) == code) return Status(d.error.kind(), message);
  return Status::Io(message);
}

Status RunStatus(const StatusOptions& o, const GlobalOptions& global) {
  int64_t max_age_s = -1;
  if (!o.max_age.empty()) {
    auto age = ParseDuration(o.max_age);
    if (!age.ok()) return age.status().WithContext("--max-age");
    max_age_s = *age;
  }
  ConfigOverrides flags;
  for (const auto& url : o.dests) {
    DestinationConfig d;
    d.url = url;
    flags.dest.push_back(d);
  }
  DREDGE_ASSIGN_OR_RETURN(DredgeConfig config,
                          ResolveConfig(global.config_path, CurrentEnvironment(), flags));
  for (const auto& w : config.warnings) log::Warn(w);
  const int64_t now_ns = NowUnixNanos();
  std::vector<DestinationStatus> all;
  std::vector<DestLock> locks;
  std::vector<int> codes;
  std::vector<std::string> problems;
  for (const auto& dest : config.AllDestinations())
    StatusOf(dest, o, config, max_age_s, now_ns, all, locks, codes, problems);
  const int code = CombineExitCodes(codes);
  const bool any_stale = std::find(codes.begin(), codes.end(), kExitStale) != codes.end();
  if (o.json)
    PrintStatusJson(all, locks, now_ns, max_age_s, any_stale);
  else
    PrintHuman(all, locks, now_ns, max_age_s);
  RunStaleHooks(config.hooks, all);
  return StatusOutcome(code, problems, all);
}

}  // namespace

Runner SetupStatus(CLI::App& cmd, const GlobalOptions& global) {
  auto o = std::make_shared<StatusOptions>();
  cmd.add_option("--dest", o->dests, "Destination URL (repeatable; default: the configured ones)");
  cmd.add_option("--tier", o->tier, "Only this tier")->check(CLI::IsMember({"files", "db"}));
  cmd.add_option("--max-age", o->max_age,
                 "Exit 6 when the newest good backup is older than this (90s, 45m, 26h, 7d)");
  cmd.add_flag("--json", o->json, "Machine-readable output");
  AddStoreFlags(cmd, &o->store);
  return [o, &global]() { return RunStatus(*o, global); };
}

}  // namespace dredge
