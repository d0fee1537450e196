#include "commands/diff_db.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/output.h"
#include "commands/files_command_support.h"
#include "commands/read_dest.h"
#include "common/plural.h"
#include "engine/db/manifest_diff.h"
#include "engine/db/manifest_select.h"
#include "engine/db/manifest_store.h"

namespace dredge {
namespace {

using json = nlohmann::json;

json ChangesJson(const std::vector<TableChange>& changes) {
  json tables = json::array();
  for (const auto& c : changes) {
    json chunks = json::array();
    for (const auto& [key, rows] : c.chunks) chunks.push_back({{"chunk", key}, {"rows", rows}});
    tables.push_back({{"table", c.table},
                      {"inserted", c.inserted},
                      {"updated", c.updated},
                      {"deleted", c.deleted},
                      {"unchanged", c.unchanged},
                      {"chunks", chunks}});
  }
  return tables;
}

void PrintChanges(const std::vector<TableChange>& changes, const std::string& from,
                  const std::string& to) {
  uint64_t ins = 0, upd = 0, del = 0;
  for (const auto& c : changes) {
    PrintTextF(
        "%s: %llu inserted, %llu updated, %llu deleted, %llu unchanged\n", c.table.c_str(),
        static_cast<unsigned long long>(c.inserted), static_cast<unsigned long long>(c.updated),
        static_cast<unsigned long long>(c.deleted), static_cast<unsigned long long>(c.unchanged));
    for (const auto& [key, rows] : c.chunks)
      PrintTextF("  %s (%s)\n", key.c_str(), Plural(rows, "row").c_str());
    ins += c.inserted;
    upd += c.updated;
    del += c.deleted;
  }
  PrintTextF("%s -> %s: %s: %llu inserted, %llu updated, %llu deleted\n", from.c_str(), to.c_str(),
             Plural(changes.size(), "table").c_str(), static_cast<unsigned long long>(ins),
             static_cast<unsigned long long>(upd), static_cast<unsigned long long>(del));
}

}  // namespace

Status RunDbDiff(const GlobalOptions& global, const std::string& dest, const std::string& a,
                 const std::string& b, bool as_json, const StoreOptions& store_flags) {
  DREDGE_ASSIGN_OR_RETURN(ReadTarget target, OpenForReading(global, "db", dest, store_flags));
  ObjectStore& store = *target.store;
  DREDGE_ASSIGN_OR_RETURN(PrefixListing listing, ListPrefix(store));
  std::string keys[2];
  const std::string* texts[2] = {&a, &b};
  for (int i = 0; i < 2; ++i) {
    auto key = ChooseManifestKey(listing, {std::nullopt, *texts[i]}, store.Describe());
    if (!key.ok())
      return key.status().Is(ErrorKind::kNotFound) ? ExplainEmpty(store, "db", key.status())
                                                   : key.status();
    keys[i] = *key;
  }
  DREDGE_ASSIGN_OR_RETURN(RunManifest from, LoadManifest(store, keys[0]));
  DREDGE_ASSIGN_OR_RETURN(RunManifest to, LoadManifest(store, keys[1]));
  DREDGE_ASSIGN_OR_RETURN(auto changes, DiffManifests(store, from, to));
  if (as_json)
    PrintJson({{"ok", true}, {"from", keys[0]}, {"to", keys[1]}, {"tables", ChangesJson(changes)}});
  else
    PrintChanges(changes, keys[0], keys[1]);
  return Status::Ok();
}

}  // namespace dredge
