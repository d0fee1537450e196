#include "commands/prune.h"

#include <algorithm>
#include <memory>

#include "cli/option_flags.h"
#include "cli/output.h"
#include "cli/store_flags.h"
#include "commands/encrypt_flags.h"
#include "commands/files_command_support.h"
#include "commands/prune_tiers.h"
#include "commands/run_setup.h"
#include "commands/upload_flags.h"
#include "common/log.h"

namespace dredge {
namespace {

struct Flags {
  std::vector<std::string> dests;
  std::string tier, key_file;
  int keep[4] = {0, 0, 0, 0};  // last, daily, weekly, monthly
  CLI::Option* keep_opt[4] = {};
  int workers = 8;
  bool dry_run = false, json = false;
  std::string abort_incomplete_after;
  StoreOptions store;
};

struct Target {
  DestinationConfig dest;
  bool files = false, db = false;
};

bool Lists(const std::vector<DestinationConfig>& list, const std::string& url) {
  return std::any_of(list.begin(), list.end(), [&](const auto& d) { return d.url == url; });
}

std::vector<Target> Targets(const Flags& f, const DredgeConfig& config) {
  bool want_files = f.tier.empty() || f.tier == "files";
  bool want_db = f.tier.empty() || f.tier == "db";
  std::vector<Target> out;
  if (!f.dests.empty()) {
    for (const auto& url : f.dests) {
      Target t;
      t.dest.url = url;
      t.files = want_files;
      t.db = want_db;
      out.push_back(t);
    }
    return out;
  }
  // Nothing configured: both tiers on the embedded default, as `dredge backup files/db` use it.
  bool any = config.files.configured || config.db.configured;
  for (const auto& d : config.AllDestinations()) {
    Target t;
    t.dest = d;
    t.files = want_files &&
              (!any || (config.files.configured && Lists(config.DestinationsFor("files"), d.url)));
    t.db =
        want_db && (!any || (config.db.configured && Lists(config.DestinationsFor("db"), d.url)));
    if (t.files || t.db) out.push_back(t);
  }
  return out;
}

Status Run(const Flags& f, const GlobalOptions& global) {
  ConfigOverrides overrides;
  std::optional<int>* keep_fields[4] = {&overrides.keep_last, &overrides.keep_daily,
                                        &overrides.keep_weekly, &overrides.keep_monthly};
  for (int i = 0; i < 4; ++i)
    if (f.keep_opt[i]->count() > 0) *keep_fields[i] = f.keep[i];
  auto fail = [&](Status st) { return FailJson(f.json, std::move(st)); };
  auto config = PrepareRun(global, overrides, OpsFlags{});
  if (!config.ok()) return fail(config.status());
  auto run_log = OpenTierLog(*config, "prune");
  TierPruneRequest req;
  req.policy = {config->retention.keep_last, config->retention.keep_daily,
                config->retention.keep_weekly, config->retention.keep_monthly};
  req.dry_run = f.dry_run;
  req.json = f.json;
  req.quiet = global.quiet;
  req.workers = f.workers;
  if (Status st = ValidateRetentionPolicy(req.policy); !st.ok()) return fail(st);
  if (Status st = CheckWorkers(f.workers); !st.ok()) return fail(st);
  // Prune reads the chunks of kept chains to know their keys: sealed ones need the key.
  if (Status st = LoadDecryptionKey(f.key_file, &*config); !st.ok()) return fail(st);

  std::vector<Target> targets = Targets(f, *config);
  nlohmann::json dests = nlohmann::json::array();
  std::vector<DestOutcome> outcomes;
  for (const auto& t : targets) {
    nlohmann::json d = {{"dest", t.dest.url}};
    auto store =
        OpenDestination(t.dest.url, f.dests.empty() ? MergeStoreOptions(t.dest, f.store) : f.store);
    if (!store.ok()) {
      log::Error("prune of " + t.dest.url + ": " + store.status().message());
      outcomes.push_back({"", t.dest.url, store.status(), {}});
      d["error"] = store.status().message();
      dests.push_back(d);
      continue;
    }
    d["dest"] = (*store)->Describe();
    req.abort_incomplete_after = AbortIncompleteAfter(f.abort_incomplete_after, t.dest);
    for (auto [on, name, fn] :
         {std::tuple{t.files, "files", &PruneFilesTier}, std::tuple{t.db, "db", &PruneDbTier}}) {
      if (!on) continue;
      TierPruneOutcome o = fn(*store, req);
      outcomes.push_back({name, t.dest.url, o.status, o.json});
      d[name] = o.json;
    }
    dests.push_back(d);
  }
  Status combined = CombinedStatus(outcomes, "prunes");
  if (f.json) {
    nlohmann::json out = {{"ok", combined.ok()}, {"dry_run", f.dry_run}, {"destinations", dests}};
    if (dests.size() == 1) {
      for (const char* k : {"dest", "files", "db", "error"})
        if (dests[0].contains(k)) out[k] = dests[0][k];
    }
    PrintJson(out);
  }
  return combined;
}

}  // namespace

Runner SetupPrune(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--dest", f->dests,
                 "Store URL (repeatable; default: the configured destinations of each tier)");
  cmd.add_option("--tier", f->tier, "Only this tier (default: both)")
      ->check(CLI::IsMember({"files", "db"}));
  const char* keys[] = {"retention.keep_last", "retention.keep_daily", "retention.keep_weekly",
                        "retention.keep_monthly"};
  for (int i = 0; i < 4; ++i) f->keep_opt[i] = AddSettingFlag(cmd, keys[i], &f->keep[i]);
  AddSettingFlag(cmd, "prune.workers", &f->workers);
  cmd.add_flag("--dry-run", f->dry_run, "List what would be deleted; delete nothing");
  cmd.add_flag("--json", f->json, "Print one JSON summary object on stdout");
  AddStoreFlags(cmd, &f->store);
  AddEncryptKeyFlag(cmd, &f->key_file);
  AddAbortIncompleteFlag(cmd, &f->abort_incomplete_after);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
