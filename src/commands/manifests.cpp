#include "commands/manifests.h"

#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/store_flags.h"
#include "commands/db_flags.h"
#include "engine/db/manifest_store.h"

namespace dredge {
namespace {

struct Flags {
  std::string dest;
  bool json = false;
  StoreOptions store;
};

}  // namespace

Runner SetupManifests(CLI::App& cmd, const GlobalOptions&) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("--dest", f->dest, "Destination URL holding database backups")->required();
  cmd.add_flag("--json", f->json, "Print one JSON object");
  AddStoreFlags(cmd, &f->store);
  return [f]() -> Status {
    DREDGE_ASSIGN_OR_RETURN(auto store, OpenDestination(f->dest, f->store));
    DREDGE_ASSIGN_OR_RETURN(PrefixListing listing, ListPrefix(*store));
    nlohmann::json list = nlohmann::json::array();
    if (!f->json && !listing.manifest_keys.empty())
      std::printf("%-33s %-11s %-24s %10s %7s %10s  %s\n", "ID", "MODE", "SNAPSHOT (UTC)", "ROWS",
                  "CHUNKS", "LIVE KEYS", "TABLE");
    for (const auto& key : listing.manifest_keys) {
      std::string id = dbkeys::ManifestIdOfKey(key).value_or(key);
      auto m = LoadManifest(*store, key);
      nlohmann::json e = {{"id", id}, {"key", key}};
      if (m.ok()) {
        e.update({{"mode", m->mode},
                  {"full_reason", m->full_reason},
                  {"table", m->table},
                  {"snapshot_at", m->snapshot_at},
                  {"rows", m->rows},
                  {"chunks", m->chunks.size()},
                  {"bytes", m->bytes},
                  {"live_keys", m->live_keys.count()},
                  {"previous", m->previous ? nlohmann::json(*m->previous) : nlohmann::json()}});
        if (!f->json)
          std::printf("%-33s %-11s %-24.24s %10llu %7zu %10llu  %s\n", id.c_str(), m->mode.c_str(),
                      m->snapshot_at.c_str(), static_cast<unsigned long long>(m->rows),
                      m->chunks.size(), static_cast<unsigned long long>(m->live_keys.count()),
                      m->table.c_str());
      } else {
        std::string kind = m.status().Is(ErrorKind::kUnsupported) ? "legacy" : "unreadable";
        e.update({{"mode", kind}, {"error", m.status().message()}});
        if (!f->json)
          std::printf("%-33s %-11s %s\n", id.c_str(), kind.c_str(), m.status().message().c_str());
      }
      list.push_back(e);
    }
    if (f->json) {
      PrintJsonLine(nlohmann::json({{"manifests", list},
                                    {"chunks", listing.chunk_keys.size()},
                                    {"max_chunk_number", listing.max_chunk_number}})
                        .dump());
    } else if (listing.manifest_keys.empty()) {
      std::printf("no manifests under %s\n", store->Describe().c_str());
    }
    return Status::Ok();
  };
}

}  // namespace dredge
