// What the prune tests share: the snapshot ids and keys of a store, a directory as a tree, and a
// keyless database run (one table read whole, one chunk) whose manifest parses like a real one,
// so database plans are tested without PostgreSQL.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/time_util.h"
#include "engine/files/snapshot_catalog.h"
#include "files_test_support.h"
#include "formats/db_keys.h"
#include "formats/manifest.h"
#include "store/object_store.h"

namespace dredge::testing {

using Tree = std::map<std::string, std::string>;

inline Tree DirTree(const std::string& root) {
  Tree t;
  for (auto& e : std::filesystem::recursive_directory_iterator(root))
    if (e.is_regular_file())
      t[std::filesystem::relative(e.path(), root).string()] = ReadFile(e.path());
  return t;
}

inline std::vector<std::string> SnapshotIdsOf(ObjectStore& store) {
  auto all = ListSnapshots(store);
  EXPECT_TRUE(all.ok());
  std::vector<std::string> ids;
  if (all.ok())
    for (const auto& s : *all) ids.push_back(s.id);
  return ids;
}

inline std::set<std::string> KeysOf(ObjectStore& store) {
  std::set<std::string> keys;
  EXPECT_TRUE(store
                  .List("",
                        [&](const ObjectInfo& o) {
                          keys.insert(o.key);
                          return Status::Ok();
                        })
                  .ok());
  return keys;
}

// The run of a keyless table "public.log" whose manifest is named after `t` (UTC seconds) and
// lists one chunk numbered `chunk` of 10 bytes, stamped 5 s before.
inline RunManifest KeylessRun(int64_t t, uint64_t chunk) {
  Manifest m;
  m.id = "backup_manifest_" + FormatCompactUtc(t);
  m.run = FormatCompactUtc(t - 5);
  m.mode = "full";
  m.full_reason = "no key";
  m.table = "public.log";
  m.table_oid = 100;
  m.snapshot = "1100:1100:";
  m.horizon = "1100";
  m.schema.schema_name = "public";
  m.schema.table = "log";
  m.schema.columns = {{"line", "text", false, std::nullopt, false, "", ""}};
  m.schema.key_source = std::string(kKeyNone);
  ChunkEntry c;
  c.key = dbkeys::ChunkKey(chunk, t - 5, false);
  c.number = chunk;
  c.sha256 = "ab";
  c.size = 10;
  c.rows = 1;
  m.chunks.push_back(c);
  m.rows = 1;
  m.bytes = 10;
  RunManifest r;
  r.version = 2;
  r.id = m.id;
  r.run = m.run;
  r.horizon = m.horizon;
  r.tables = {m};
  return r;
}

}  // namespace dredge::testing
