#include "commands/check.h"

#include <cstdio>
#include <memory>

#include "cli/output.h"
#include "cli/store_flags.h"
#include "commands/point_lock_report.h"
#include "common/log.h"
#include "common/time_util.h"
#include "config/config_file.h"
#include "ops/probe.h"
#include "store/s3/s3_store.h"
#include "store/wrap/store_wrapper.h"

namespace dredge {
namespace {

struct CheckOptions {
  std::vector<std::string> dests;
  StoreOptions store;
  std::string db;
  std::string table;
  bool probe_prune = false;
};

// The S3 driver under the wrappers OpenDestination adds, or null for other stores.
const S3Store* FindS3Store(const std::shared_ptr<ObjectStore>& store) {
  return dynamic_cast<const S3Store*>(Unwrap(store.get()));
}

int PrintLines(const std::vector<CheckLine>& lines) {
  int failed = 0;
  for (const auto& l : lines) {
    std::string text = log::Scrub(l.detail);
    if (!l.ok) {
      ++failed;
      text += " -> " + log::Scrub(l.hint);
    }
    PrintTextF("  %-4s  %-10s  %s\n", l.ok ? "OK" : "FAIL", l.name.c_str(), text.c_str());
  }
  return failed;
}

// Informational: how long the newest restore point of each tier stays locked (never a FAIL:
// `status --max-age` is where a too-short lock is judged against the backup interval).
void PrintLock(ObjectStore& store, const ObjectLockSettings& configured) {
  DestLock l = GatherDestLock(store, configured, {"files", "db"}, NowUnixNanos() / 1000000000, -1);
  if (!l.asked) return;
  std::vector<CheckLine> lines;
  std::string text = l.configured.enabled()
                         ? "configured " + l.configured.mode + ", retain " + l.configured.retain
                         : "none configured";
  for (const auto& p : l.points) text += "; " + p.tier + ": " + PointLockText(p);
  lines.push_back({"lock", true, text, ""});
  PrintLines(lines);
  for (const auto& w : l.warnings) PrintTextF("  WARN  %s\n", log::Scrub(w).c_str());
}

Status RunCheck(const CheckOptions& o, const GlobalOptions& global) {
  ConfigOverrides flags;
  for (const auto& url : o.dests) {
    DestinationConfig d;
    d.url = url;
    flags.dest.push_back(d);
  }
  if (!o.db.empty()) flags.db_conninfo = o.db;
  if (!o.table.empty()) flags.db_table = o.table;
  DREDGE_ASSIGN_OR_RETURN(DredgeConfig config,
                          ResolveConfig(global.config_path, CurrentEnvironment(), flags));
  for (const auto& w : config.warnings) log::Warn(w);

  int failed = 0;
  ProbeOptions po;
  po.probe_prune = o.probe_prune;
  for (const auto& dest : config.AllDestinations()) {
    StoreOptions so = o.dests.empty() ? ToStoreOptions(dest) : o.store;
    auto store = OpenDestination(dest.url, so);
    PrintTextF("%s\n", store.ok() ? (*store)->Describe().c_str() : dest.url.c_str());
    if (!store.ok()) {
      failed +=
          PrintLines({{"open", false, store.status().message(),
                       "check the URL (file:///path or s3://bucket/prefix) and its options"}});
      continue;
    }
    if (const S3Store* s3 = FindS3Store(*store))
      PrintTextF("  credentials: %s\n", log::Scrub(s3->CredentialsSource()).c_str());
    failed += PrintLines(ProbeStore(**store, po));
    PrintLock(**store, so.object_lock);
  }
  if (!o.db.empty() || config.db.configured) {
    // Each listed table ([db] tables, else table); tables = "*" is resolved by the backup.
    // (With "*" only the connection is probed, through the catalog every role may read.)
    std::vector<std::string> tables = config.db.tables;
    if (tables.empty()) tables = {config.db.all_tables ? "pg_catalog.pg_class" : config.db.table};
    for (const auto& table : tables) {
      PrintTextF("database (table %s)\n", table.c_str());
      failed += PrintLines(ProbeDatabase(config.db.conninfo, table));
    }
  }
  if (failed)
    return Status::Io(std::to_string(failed) + (failed == 1 ? " check" : " checks") +
                      " failed: see the FAIL lines above for what to do");
  return Status::Ok();
}

}  // namespace

Runner SetupCheck(CLI::App& cmd, const GlobalOptions& global) {
  auto o = std::make_shared<CheckOptions>();
  cmd.add_option("--dest", o->dests, "Destination URL (repeatable; default: the configured ones)");
  cmd.add_option("--db", o->db, "PostgreSQL conninfo or URI to check (default: [db] conninfo)");
  cmd.add_option("--table", o->table, "Table to SELECT from (default: [db] table, articles)");
  cmd.add_flag("--probe-prune", o->probe_prune,
               "Also write and delete an object outside .dredge/ (the prune role)");
  AddStoreFlags(cmd, &o->store);
  return [o, &global]() { return RunCheck(*o, global); };
}

}  // namespace dredge
