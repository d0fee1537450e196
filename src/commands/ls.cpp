#include "commands/ls.h"

#include <cstdio>
#include <memory>
#include <unordered_set>
#include <vector>

#include "cli/output.h"
#include "cli/store_flags.h"
#include "commands/files_command_support.h"
#include "commands/read_dest.h"
#include "common/hash.h"
#include "common/progress.h"
#include "common/time_util.h"
#include "engine/db/manifest_select.h"
#include "engine/files/glob.h"
#include "engine/files/snapshot_select.h"
#include "formats/file_keys.h"
#include "formats/snapshot.h"

namespace dredge {
namespace {

using json = nlohmann::json;

struct Flags {
  std::vector<std::string> args;
  std::string dest, as_of, tier = "files";
  bool long_form = false, json = false;
  StoreOptions store;
};

bool LooksLikeSelector(const std::string& t) {
  if (t == "latest" || t.starts_with("snapshot_") || t.starts_with("backup_manifest_") ||
      t.starts_with(file_keys::kSnapshotPrefix) || t.starts_with(dbkeys::kManifestPrefix))
    return true;
  if (t.empty() || !(t[0] >= '0' && t[0] <= '9')) return false;
  for (char c : t)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '_')) return false;
  return true;
}

// The md5s that have a content-addressed copy (for --long's location column).
Result<std::unordered_set<std::string>> PreservedContent(ObjectStore& store) {
  std::unordered_set<std::string> out;
  DREDGE_RETURN_IF_ERROR(store.List(file_keys::kContentPrefix, [&](const ObjectInfo& o) {
    out.insert(o.key.substr(file_keys::kContentPrefix.size()));
    return Status::Ok();
  }));
  return out;
}

json EntryJson(const SnapshotEntry& e, const std::string& location) {
  json j = json::object();
  if (IsValidUtf8(e.path))
    j["path"] = e.path;
  else
    j["path_b64"] = Base64Encode(e.path);
  j.update({{"size", e.size},
            {"mtime_ns", std::to_string(e.mtime_ns)},
            {"md5", e.md5},
            {"location", location}});
  return j;
}

Status ListFiles(const Flags& f, ObjectStore& store, const RestorePointSelector& sel,
                 const PathFilter& filter) {
  auto id = SelectSnapshot(store, sel);
  if (!id.ok())
    return id.status().Is(ErrorKind::kNotFound) ? ExplainEmpty(store, "files", id.status())
                                                : id.status();
  std::unordered_set<std::string> preserved;
  if (f.long_form || f.json) {
    DREDGE_ASSIGN_OR_RETURN(preserved, PreservedContent(store));
  }
  return ReadSnapshot(
      store, *id,
      [&](const SnapshotEntry& e) {
        if (!filter.Selects(e.path)) return Status::Ok();
        const bool content = preserved.count(e.md5) > 0;
        if (f.json) {
          PrintJson(
              EntryJson(e, content ? file_keys::ContentKey(e.md5) : file_keys::DataKey(e.path)));
        } else if (f.long_form) {
          PrintTextF("%12llu  %s  %s  %-7s  %s\n", static_cast<unsigned long long>(e.size),
                     FormatIsoUtc(e.mtime_ns / 1000000000).c_str(), e.md5.c_str(),
                     content ? "content" : "path", e.path.c_str());
        } else {
          PrintTextF("%s\n", e.path.c_str());
        }
        return Status::Ok();
      },
      [](const SnapshotHeader&) { return Status::Ok(); });
}

void PrintManifestChunks(const Flags& f, const Manifest& m) {
  if (!f.json)
    PrintTextF("# %s: table %s, %s mode, %llu rows written in %zu chunks\n", m.id.c_str(),
               m.table.c_str(), m.mode.c_str(), static_cast<unsigned long long>(m.rows),
               m.chunks.size());
  for (const auto& c : m.chunks) {
    auto range = [](const std::vector<std::string>& k) {
      std::string out;
      for (const auto& v : k) out += (out.empty() ? "" : ",") + v;
      return out;
    };
    if (f.json) {
      PrintJson({{"table", m.table},
                 {"key", c.key},
                 {"number", c.number},
                 {"rows", c.rows},
                 {"size", c.size},
                 {"sha256", c.sha256},
                 {"compression", c.compression},
                 {"key_min", c.key_min},
                 {"key_max", c.key_max}});
    } else {
      std::string line = c.key + "  " + std::to_string(c.rows) + " rows  " + HumanBytes(c.size) +
                         "  keys " + range(c.key_min) + ".." + range(c.key_max);
      if (f.long_form) line += "  " + c.compression + "  " + c.sha256;
      PrintText(line);
    }
  }
}

Status ListChunks(const Flags& f, ObjectStore& store, const RestorePointSelector& sel) {
  DREDGE_ASSIGN_OR_RETURN(PrefixListing listing, ListPrefix(store));
  auto key = ChooseManifestKey(listing, {sel.as_of_ns, sel.text}, store.Describe());
  if (!key.ok())
    return key.status().Is(ErrorKind::kNotFound) ? ExplainEmpty(store, "db", key.status())
                                                 : key.status();
  DREDGE_ASSIGN_OR_RETURN(RunManifest run, LoadManifest(store, *key));
  for (const Manifest& m : run.tables) PrintManifestChunks(f, m);
  return Status::Ok();
}

Status Run(const Flags& f, const GlobalOptions& global) {
  RestorePointSelector sel;
  std::vector<std::string> globs = f.args;
  if (!globs.empty() && LooksLikeSelector(globs.front())) {
    sel.text = globs.front();
    globs.erase(globs.begin());
  }
  if (!f.as_of.empty()) {
    DREDGE_ASSIGN_OR_RETURN(sel.as_of_ns, ParseIsoTime(f.as_of));
  }
  if (f.tier == "db" && !globs.empty())
    return Status::Usage("'" + globs.front() +
                         "' is not a manifest id or prefix ('dredge manifests' lists them); "
                         "ls --tier db takes no globs");
  DREDGE_ASSIGN_OR_RETURN(ReadTarget target, OpenForReading(global, f.tier, f.dest, f.store));
  if (f.tier == "db") return ListChunks(f, *target.store, sel);
  return ListFiles(f, *target.store, sel, PathFilter(globs, {}));
}

}  // namespace

Runner SetupLs(CLI::App& cmd, const GlobalOptions& global) {
  auto f = std::make_shared<Flags>();
  cmd.add_option("selector_and_globs", f->args,
                 "[SNAPSHOT] [GLOB]...: the snapshot (latest, an id, a unique prefix or the stamp "
                 "YYYYMMDD_HHMMSS; default: the newest), then globs limiting the paths");
  cmd.add_option("--dest", f->dest,
                 "Store URL (default: the first configured destination of the tier)");
  cmd.add_option(
      "--as-of", f->as_of,
      "The newest snapshot at or before this time (ISO 8601; local time without a zone)");
  cmd.add_option("--tier", f->tier, "files (default) or db: list a manifest's chunks")
      ->check(CLI::IsMember({"files", "db"}));
  cmd.add_flag("-l,--long", f->long_form, "Add size, mtime, MD5 and where the bytes are");
  cmd.add_flag("--json", f->json, "One JSON object per file (or chunk) and line");
  AddStoreFlags(cmd, &f->store);
  return [f, &global]() { return Run(*f, global); };
}

}  // namespace dredge
