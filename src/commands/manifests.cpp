#include "commands/manifests.h"

#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/output.h"
#include "cli/store_flags.h"
#include "commands/db_flags.h"
#include "commands/read_dest.h"
#include "engine/db/manifest_store.h"

namespace dredge {
namespace {

struct Flags {
  std::string dest;
  bool json = false;
  StoreOptions store;
};

std::string TableNames(const RunManifest& m) {
  std::string out;
  for (const auto& t : m.tables) out += (out.empty() ? "" : ",") + t.table;
  return out;
}

nlohmann::json RunJson(const RunManifest& m) {
  nlohmann::json tables = nlohmann::json::array();
  std::string reasons;
  uint64_t live = 0;
  for (const auto& t : m.tables) {
    live += t.live_keys.count();
    if (!t.full_reason.empty())
      reasons += (reasons.empty() ? "" : "; ") +
                 (m.tables.size() > 1 ? t.table + ": " : std::string()) + t.full_reason;
    tables.push_back({{"table", t.table},
                      {"mode", t.mode},
                      {"full_reason", t.full_reason},
                      {"key", t.schema.key_source},
                      {"rows", t.rows},
                      {"chunks", t.chunks.size()},
                      {"bytes", t.bytes},
                      {"live_keys", t.live_keys.count()}});
  }
  const Manifest& h = m.tables.front();
  return {{"version", m.version},
          {"mode", m.mode()},
          {"full_reason", reasons},
          {"table", TableNames(m)},
          {"tables", tables},
          {"snapshot_at", h.snapshot_at},
          {"rows", m.rows()},
          {"chunks", m.chunk_count()},
          {"bytes", m.bytes()},
          {"live_keys", live},
          {"previous", m.previous ? nlohmann::json(*m.previous) : nlohmann::json()}};
}

}  // namespace

Runner SetupManifests(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--dest", f->dest,
                 "Destination URL holding database backups (default: the first configured db "
                 "destination)");
  cmd.add_flag("--json", f->json, "Print one JSON object");
  AddStoreFlags(cmd, &f->store);
  return [f, &global]() -> Status {
    DREDGE_ASSIGN_OR_RETURN(ReadTarget target, OpenForReading(global, "db", f->dest, f->store));
    const auto& store = target.store;
    DREDGE_ASSIGN_OR_RETURN(PrefixListing listing, ListPrefix(*store));
    if (listing.manifest_keys.empty())
      return ExplainEmpty(*store, "db",
                          Status::NotFound("no manifests in " + store->Describe() +
                                           " yet: no 'dredge backup db' to it has finished"));
    nlohmann::json list = nlohmann::json::array();
    if (!f->json && !listing.manifest_keys.empty())
      PrintTextF("%-33s %-11s %-20s %10s %7s %10s  %s\n", "ID", "MODE", "TIME (UTC)", "ROWS",
                 "CHUNKS", "CHANGED", "TABLE");
    for (const auto& key : listing.manifest_keys) {
      std::string id = dbkeys::ManifestIdOfKey(key).value_or(key);
      auto m = LoadManifest(*store, key);
      nlohmann::json e = {{"id", id}, {"key", key}};
      if (m.ok()) {
        e.update(RunJson(*m));
        // The restore point holds live_keys rows; this run wrote (inserted or updated) `rows`.
        const std::string& finished = m->tables.front().finished_at;
        e.update({{"time", finished}, {"changed", m->rows()}});
        if (!f->json) {
          PrintTextF(
              "%-33s %-11s %-20.20s %10llu %7zu %10llu  %s\n", id.c_str(), m->mode().c_str(),
              finished.c_str(), static_cast<unsigned long long>(e["live_keys"].get<uint64_t>()),
              m->chunk_count(), static_cast<unsigned long long>(m->rows()), TableNames(*m).c_str());
          for (const auto& t : m->tables)
            if (t.schema.Keyless())
              PrintTextF("%-33s %-11s %s has no key: read whole every run, restored whole\n", "",
                         "", t.table.c_str());
        }
      } else {
        std::string kind = m.status().Is(ErrorKind::kUnsupported) ? "legacy" : "unreadable";
        e.update({{"mode", kind}, {"error", m.status().message()}});
        if (!f->json)
          PrintTextF("%-33s %-11s %s\n", id.c_str(), kind.c_str(), m.status().message().c_str());
      }
      list.push_back(e);
    }
    if (f->json) {
      PrintJson(nlohmann::json({{"manifests", list},
                                {"chunks", listing.chunk_keys.size()},
                                {"max_chunk_number", listing.max_chunk_number}}));
    }
    return Status::Ok();
  };
}

}  // namespace dredge
