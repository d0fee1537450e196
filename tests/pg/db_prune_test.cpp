// Pruning the database tier (engine/db/prune.h): after a prune every kept manifest restores
// the table exactly as it was at that backup, superseded chunks and aborted-run debris are gone,
// dropped manifests are no restore point any more, and later backups continue normally.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "engine/db/manifest_store.h"
#include "engine/db/prune.h"
#include "engine/db/prune_plan.h"
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
  std::string body = *GetString(s, m1->tables[0].chunks[0].key);
  std::string debris = dbkeys::ChunkKey(m1->tables[0].chunks[1].number, run1 - 1, false);
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
  EXPECT_FALSE(chunks_after.count(m1->tables[0].chunks[0].key)) << "ids 1-10 were superseded in m2";
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

  // Pruning again with the same rules removes nothing more, and rewrites no retired copy.
  std::map<std::string, std::string> retired_before;
  ASSERT_TRUE(s.List(dbkeys::kRetiredPrefix, [&](const ObjectInfo& o) {
                 retired_before[o.key] = std::to_string(o.mtime_ns) + " " + o.etag;
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(retired_before.size(), 2u);
  auto replan = PlanDbPrune(s, KeepIds({ids[1], ids[3]}), NowUnixNanos() / 1000000000LL);
  ASSERT_TRUE(replan.ok()) << replan.status().ToString();
  EXPECT_TRUE(replan->retired_copies.empty());
  auto again = PruneDb(s, KeepIds({ids[1], ids[3]}), false);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->deleted_chunks.empty());
  EXPECT_TRUE(again->deleted_manifests.empty());
  std::map<std::string, std::string> retired_after;
  ASSERT_TRUE(s.List(dbkeys::kRetiredPrefix, [&](const ObjectInfo& o) {
                 retired_after[o.key] = std::to_string(o.mtime_ns) + " " + o.etag;
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(retired_after, retired_before);

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

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& body) {
  std::ofstream(path, std::ios::binary) << body;
}

nlohmann::json Json(const RunResult& r) {
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_TRUE(j.is_object()) << "stdout: " << r.out << "\nstderr: " << r.err;
  return j;
}

// `dredge prune` with a config prunes both tiers on their configured destination by the
// [retention] rules (flags override them), and what it keeps restores exactly.
TEST(DbPrune, CommandPrunesBothConfiguredTiersByTheRetentionRules) {
  TestDb src("prune_cmd");
  src.Exec(
      "CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL);"
      "INSERT INTO t (v) SELECT 'row ' || g FROM generate_series(1, 40) g;");
  std::string dir = TempDir("prune_cmd");
  ::setenv("XDG_CACHE_HOME", (dir + "/cache").c_str(), 1);  // state index and lock files
  std::string source = dir + "/source", dest = "file://" + dir + "/store";
  std::filesystem::create_directories(source);
  WriteFile(source + "/a.txt", "first a");
  WriteFile(source + "/gone.txt", "only in the first snapshot");
  // Enough unchanged files that the second run stays under the damage guard's 20 %.
  for (int i = 0; i < 10; ++i) WriteFile(source + "/same" + std::to_string(i), "same");
  std::string config = dir + "/dredge.toml";
  WriteFile(config, "[files]\nsource = \"" + source + "\"\n[[files.destination]]\nurl = \"" + dest +
                        "\"\n[db]\nconninfo = \"" + src.conninfo() +
                        "\"\ntable = \"t\"\nchunk_size = 10\n[[db.destination]]\nurl = \"" + dest +
                        "\"\n[retention]\nkeep_last = 1\n[logging]\ndir = \"" + dir + "/logs\"\n");
  auto dredge = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config});
    return RunDredge(args);
  };
  RunResult b1 = dredge({"backup"});
  ASSERT_EQ(b1.code, 0) << b1.err;
  std::filesystem::remove(source + "/gone.txt");
  WriteFile(source + "/a.txt", "second a, longer");
  src.Exec("UPDATE t SET v = v || ' b' WHERE id <= 10; DELETE FROM t WHERE id > 35;");
  RunResult b2 = dredge({"backup"});
  ASSERT_EQ(b2.code, 0) << b2.err;
  const std::string table_now = src.Dump("t");

  auto store = OpenStore(dest, StoreOptions{});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto before = Keys(**store, "");

  // --keep-last 2 on the command line overrides keep_last = 1: nothing to remove.
  RunResult keep2 = dredge({"prune", "--keep-last", "2", "--json"});
  EXPECT_EQ(keep2.code, 0) << keep2.err;
  auto k2 = Json(keep2);
  EXPECT_EQ(k2["files"]["snapshots_removed"], 0);
  EXPECT_EQ(k2["db"]["manifests_removed"], 0);
  EXPECT_EQ(k2["db"]["manifests_kept"], 2);

  // A dry run by the config's rules names what would go and changes nothing.
  RunResult dry = dredge({"prune", "--dry-run", "--json"});
  EXPECT_EQ(dry.code, 0) << dry.err;
  auto d = Json(dry);
  EXPECT_EQ(d["dry_run"], true);
  EXPECT_EQ(d["files"]["snapshots_removed"], 1);
  EXPECT_EQ(d["db"]["manifests_removed"], 1);
  EXPECT_GE(d["db"]["chunks_removed"].get<int>(), 1) << "ids 1-10 were superseded";
  EXPECT_EQ(Keys(**store, ""), before);

  RunResult pr = dredge({"prune", "--json"});
  EXPECT_EQ(pr.code, 0) << pr.err;
  auto p = Json(pr);
  EXPECT_EQ(p["ok"], true);
  EXPECT_EQ(p["destinations"].size(), 1u);
  EXPECT_EQ(p["db"]["manifests_kept"], 1);
  EXPECT_EQ(p["db"]["deleted"], d["db"]["would_delete"]);
  EXPECT_EQ(p["files"]["snapshots_kept"], 1);
  EXPECT_EQ(Keys(**store, dbkeys::kManifestPrefix).size(), 1u);
  EXPECT_EQ(Keys(**store, "gone.txt").size(), 0u) << "only the removed snapshot needed it";

  // What is kept restores exactly: the table into an empty database, the files into a new dir.
  TestDb dst("prune_cmd_dst");
  RunResult rdb = RunDredge({"restore", "db", "--dest", dest, "--db", dst.conninfo()});
  ASSERT_EQ(rdb.code, 0) << rdb.err;
  EXPECT_EQ(dst.Dump("t"), table_now);
  std::string target = dir + "/restored";
  RunResult rf = RunDredge({"restore", "files", "--dest", dest, "--target", target});
  ASSERT_EQ(rf.code, 0) << rf.err;
  EXPECT_EQ(ReadFile(target + "/a.txt"), "second a, longer");
  EXPECT_FALSE(std::filesystem::exists(target + "/gone.txt"));
  RunResult v = RunDredge({"verify", "db", "--dest", dest});
  EXPECT_EQ(v.code, 0) << v.err;

  // A policy that keeps nothing is refused before anything is opened.
  RunResult none = RunDredge({"prune", "--dest", dest, "--keep-last", "0", "--json"});
  EXPECT_EQ(none.code, 2) << none.err;
  ::unsetenv("XDG_CACHE_HOME");
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
  std::string key = m->tables[0].chunks[1].key;
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
