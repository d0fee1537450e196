// Pruning the database tier (engine/db/prune.h): after a prune every kept manifest restores
// the table exactly as it was at that backup, superseded chunks and aborted-run debris are gone,
// dropped manifests are no restore point any more, and later backups continue normally.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "engine/db/manifest_store.h"
#include "engine/db/prune.h"
#include "formats/db_keys.h"
#include "pg_test_util.h"
#include "store/object_store.h"
#include "store/registry.h"

namespace dredge::testing {
namespace {

std::string BackupId(const TestDb& db, const std::string& dest) {
  RunResult r = RunDredge({"backup", "db", "--db", db.conninfo(), "--table", "t", "--dest", dest,
                           "--chunk-size", "10", "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  try {
    auto key = nlohmann::json::parse(r.out).at("manifest").get<std::string>();
    return *dbkeys::ManifestIdOfKey(key);
  } catch (...) {
    ADD_FAILURE() << "not JSON: " << r.out << r.err;
    return "";
  }
}

// Restores `id` into a fresh database and returns the table as COPY prints it.
std::string RestoredDump(const std::string& dest, const std::string& id, int* code) {
  TestDb dst("prune_dst");
  RunResult r =
      RunDredge({"restore", "db", "--dest", dest, "--db", dst.conninfo(), "--manifest", id});
  *code = r.code;
  if (r.code != 0) return r.err;
  return dst.Dump("t");
}

std::set<std::string> Keys(ObjectStore& store, std::string_view prefix) {
  std::set<std::string> out;
  EXPECT_TRUE(store
                  .List(prefix,
                        [&](const ObjectInfo& o) {
                          out.insert(o.key);
                          return Status::Ok();
                        })
                  .ok());
  return out;
}

DbKeepPolicy KeepIds(std::vector<std::string> ids) {
  return [ids](const std::vector<DbRestorePoint>&) { return ids; };
}

TEST(DbPrune, EveryKeptManifestRestoresExactlyAndSupersededChunksGo) {
  TestDb src("prune");
  src.Exec(
      "CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL, n int);"
      "INSERT INTO t (v, n) SELECT 'row ' || g, g FROM generate_series(1, 50) g;");
  std::string dir = TempDir("prune");
  std::string dest = "file://" + dir;

  std::vector<std::string> ids;
  std::vector<std::string> dumps;
  ids.push_back(BackupId(src, dest));  // m1: full, chunk 1 holds ids 1-10
  dumps.push_back(src.Dump("t"));
  src.Exec(
      "UPDATE t SET v = v || ' b' WHERE id <= 10; DELETE FROM t WHERE id BETWEEN 11 AND 15;"
      "INSERT INTO t (v, n) SELECT 'new ' || g, g FROM generate_series(51, 60) g;");
  ids.push_back(BackupId(src, dest));  // m2
  dumps.push_back(src.Dump("t"));
  src.Exec("UPDATE t SET n = -n WHERE id BETWEEN 21 AND 30 OR id BETWEEN 41 AND 50;");
  ids.push_back(BackupId(src, dest));  // m3
  dumps.push_back(src.Dump("t"));
  src.Exec("UPDATE t SET v = v || ' d' WHERE id BETWEEN 41 AND 50; DELETE FROM t WHERE id = 60;");
  ids.push_back(BackupId(src, dest));  // m4
  dumps.push_back(src.Dump("t"));
  ASSERT_EQ(ids.size(), 4u);

  auto store = OpenStore(dest, StoreOptions{});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ObjectStore& s = **store;
  // Debris of an aborted run (numbered after dredge's first chunk, stamped before the newest run)
  // and a chunk numbered before dredge's first one (as the original script's are): only the first
  // goes.
  auto m1 = LoadManifest(s, std::string(dbkeys::kManifestPrefix) + ids[0] + ".json");
  ASSERT_TRUE(m1.ok()) << m1.status().ToString();
  int64_t run1 = *ParseCompactUtc(m1->run);
  std::string body = *GetString(s, m1->chunks[0].key);
  std::string debris = dbkeys::ChunkKey(m1->chunks[1].number, run1 - 1, false);
  std::string old_script = dbkeys::ChunkKey(0, run1 - 86400, false);
  ASSERT_TRUE(PutString(s, debris, body).ok());
  ASSERT_TRUE(PutString(s, old_script, body).ok());
  auto chunks_before = Keys(s, dbkeys::kChunkPrefix);

  // A dry run changes nothing.
  auto dry = PruneDb(s, KeepIds({ids[1], ids[3]}), /*dry_run=*/true);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(Keys(s, dbkeys::kChunkPrefix), chunks_before);
  EXPECT_EQ(Keys(s, dbkeys::kManifestPrefix).size(), 4u);

  auto rep = PruneDb(s, KeepIds({ids[1], ids[3]}), /*dry_run=*/false);
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_EQ(rep->kept, (std::vector<std::string>{ids[1], ids[3]}));
  EXPECT_EQ(rep->retired, (std::vector<std::string>{ids[0], ids[2]}));  // chain links
  EXPECT_TRUE(rep->deleted_manifests.empty());
  EXPECT_EQ(rep->debris_chunks, 1u);
  EXPECT_EQ(rep->deleted_chunks, dry->deleted_chunks);
  auto chunks_after = Keys(s, dbkeys::kChunkPrefix);
  EXPECT_FALSE(chunks_after.count(debris));
  EXPECT_TRUE(chunks_after.count(old_script));
  EXPECT_FALSE(chunks_after.count(m1->chunks[0].key)) << "ids 1-10 were superseded in m2";
  EXPECT_GT(rep->deleted_chunks.size(), 1u);
  EXPECT_EQ(chunks_after.size() + rep->deleted_chunks.size(), chunks_before.size());

  // Kept points restore exactly; dropped ones are no restore point any more.
  for (size_t i : {1u, 3u}) {
    int code = -1;
    std::string got = RestoredDump(dest, ids[i], &code);
    ASSERT_EQ(code, 0) << got;
    EXPECT_EQ(got, dumps[i]) << "manifest " << ids[i];
  }
  for (size_t i : {0u, 2u}) {
    int code = -1;
    RestoredDump(dest, ids[i], &code);
    EXPECT_NE(code, 0) << "retired manifest " << ids[i] << " must not restore";
  }
  RunResult listed = RunDredge({"manifests", "--dest", dest, "--json"});
  EXPECT_EQ(listed.code, 0) << listed.err;
  std::vector<std::string> listed_ids;
  try {
    auto doc = nlohmann::json::parse(listed.out);  // named: a temporary would dangle
    for (const auto& m : doc.at("manifests")) listed_ids.push_back(m.at("id").get<std::string>());
  } catch (...) {
    ADD_FAILURE() << "manifests --json: " << listed.out;
  }
  EXPECT_EQ(listed_ids, (std::vector<std::string>{ids[1], ids[3]}));
  RunResult verified = RunDredge({"verify", "db", "--dest", dest});
  EXPECT_EQ(verified.code, 0) << verified.err;

  // Pruning again with the same rules removes nothing more.
  auto again = PruneDb(s, KeepIds({ids[1], ids[3]}), false);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->deleted_chunks.empty());
  EXPECT_TRUE(again->deleted_manifests.empty());

  // The chain goes on through retired links; keeping only the newest then drops the rest.
  src.Exec("UPDATE t SET n = 0 WHERE id = 16; INSERT INTO t (v, n) VALUES ('last', 1);");
  ids.push_back(BackupId(src, dest));  // m5, incremental on m4
  dumps.push_back(src.Dump("t"));
  auto last = PruneDb(s, KeepLastManifests(1), false);
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(last->kept, (std::vector<std::string>{ids[4]}));
  EXPECT_EQ(Keys(s, dbkeys::kManifestPrefix).size(), 1u);
  int code = -1;
  std::string got = RestoredDump(dest, ids[4], &code);
  ASSERT_EQ(code, 0) << got;
  EXPECT_EQ(got, dumps[4]);
  // Every chunk left is one that restore of the newest point reads (plus the old script's).
  uint64_t rows_left = 0;
  for (const auto& k : Keys(s, dbkeys::kChunkPrefix))
    if (k != old_script) ++rows_left;
  EXPECT_LT(rows_left, chunks_before.size() - 2);
  std::filesystem::remove_all(dir);
}

TEST(DbPrune, DamagedChunkInAKeptChainStopsBeforeDeletingAnything) {
  TestDb src("prune_bad");
  src.Exec(
      "CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL, n int);"
      "INSERT INTO t (v, n) SELECT 'row ' || g, g FROM generate_series(1, 30) g;");
  std::string dir = TempDir("prune_bad");
  std::string dest = "file://" + dir;
  std::string a = BackupId(src, dest);
  src.Exec("UPDATE t SET n = 0 WHERE id <= 10;");
  std::string b = BackupId(src, dest);
  auto store = OpenStore(dest, StoreOptions{});
  ASSERT_TRUE(store.ok());
  ObjectStore& s = **store;
  auto m = LoadManifest(s, std::string(dbkeys::kManifestPrefix) + a + ".json");
  ASSERT_TRUE(m.ok());
  std::string key = m->chunks[1].key;
  std::string body = *GetString(s, key);
  body[body.size() / 2] ^= 1;
  ASSERT_TRUE(PutString(s, key, body).ok());
  auto before = Keys(s, "database_backups/");

  auto rep = PruneDb(s, KeepLastManifests(1), false);
  ASSERT_FALSE(rep.ok());
  EXPECT_TRUE(rep.status().Is(ErrorKind::kCorrupt)) << rep.status().ToString();
  EXPECT_NE(rep.status().message().find(key), std::string::npos) << rep.status().ToString();
  EXPECT_EQ(Keys(s, "database_backups/"), before);
  (void)b;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dredge::testing
