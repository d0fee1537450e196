#include "commands/db_plan_report.h"

#include <algorithm>

#include "cli/output.h"
#include "common/plural.h"
#include "formats/db_keys.h"

namespace dredge {
namespace {

nlohmann::json TableJson(const PlannedTable& t) {
  nlohmann::json j = {{"table", t.table},       {"oid", t.ref.oid},
                      {"mode", t.mode},         {"full_reason", t.full_reason},
                      {"key", t.key_source()},  {"after", nullptr},
                      {"prev_max_key", nullptr}};
  if (t.after) j["after"] = *t.after;
  if (t.prev_max_key) j["prev_max_key"] = *t.prev_max_key;
  return j;
}

std::string FirstChunkKey(const DbBackupPlan& plan) {
  return dbkeys::ChunkKey(plan.first_chunk_number, plan.start_secs, plan.options.zstd);
}

// What the run does with a table: its reason when read whole, its cursor when not.
std::string HowRead(const PlannedTable& t) {
  if (t.mode == "full") return "read whole: " + t.full_reason;
  return "rows changed since xid " + t.after.value_or("?");
}

}  // namespace

nlohmann::json DbPlanJson(const DbBackupPlan& plan, int64_t now_secs) {
  nlohmann::json tables = nlohmann::json::array(), skipped = nlohmann::json::array();
  for (const auto& t : plan.tables) tables.push_back(TableJson(t));
  for (const auto& n : plan.not_backed_up)
    skipped.push_back({{"name", n.name}, {"kind", n.kind}, {"action", n.action}});
  nlohmann::json previous = nullptr;
  if (plan.members.previous) previous = *plan.members.previous;
  return {{"mode", plan.mode()},
          {"manifest_version", plan.manifest_version},
          {"manifest_key", plan.ManifestKeyAt(now_secs)},
          {"previous", previous},
          {"horizon", plan.members.horizon},
          {"first_chunk_number", plan.first_chunk_number},
          {"first_chunk_key", FirstChunkKey(plan)},
          {"connections", plan.connections.connections},
          {"encode_workers", plan.connections.encode_workers},
          {"tables", tables},
          {"not_backed_up", skipped}};
}

void PrintDbPlan(const DbBackupPlan& plan, const std::string& url, int64_t now_secs) {
  PrintText("backup db to " + url + ": dry run, nothing is written");
  PrintText("  " + plan.mode() + " run of " + Plural(plan.tables.size(), "table") + " on " +
            Plural(plan.connections.connections, "connection") + " (" +
            Plural(plan.connections.encode_workers, "chunk worker") + " each), snapshot horizon " +
            plan.members.horizon);
  PrintText("  previous manifest: " + plan.members.previous.value_or("none"));
  PrintText("  manifest (version " + std::to_string(plan.manifest_version) +
            "): " + plan.ManifestKeyAt(now_secs) + " or the next free second");
  PrintText("  chunks numbered from " + std::to_string(plan.first_chunk_number) + ": " +
            FirstChunkKey(plan) + ", …");
  size_t width = 5;
  for (const auto& t : plan.tables) width = std::max(width, t.table.size());
  for (const auto& t : plan.tables)
    PrintTextF("  %-*s  %-11s  %-12s  %s", static_cast<int>(width), t.table.c_str(), t.mode.c_str(),
               t.key_source().c_str(), HowRead(t).c_str());
  for (const auto& n : plan.not_backed_up)
    PrintText("  not backed up: " + n.name + " (" + n.kind + "): " + n.action);
}

}  // namespace dredge
