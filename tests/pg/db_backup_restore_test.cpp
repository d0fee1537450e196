// The database tier end to end with the real binary: full and incremental backups, restore
// of every restore point, out-of-order commits, composite keys, filters and legacy chunks. The
// round trips (DbRoundTrip) run on file://, the SigV4-checking S3 server and moto's.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "formats/db_keys.h"
#include "pg_test_util.h"

namespace dredge::testing {
namespace {

const char* kTypesTable = R"(
CREATE TABLE items (
  id bigserial PRIMARY KEY,
  title text NOT NULL DEFAULT 'untitled',
  content text,
  n numeric,
  f8 double precision,
  f4 real,
  ok boolean,
  raw bytea,
  j json,
  jb jsonb,
  ts timestamp,
  tstz timestamptz,
  d date,
  ints integer[],
  texts text[],
  small smallint CHECK (small >= -1000),
  u uuid,
  iv interval
);
CREATE INDEX items_ts_idx ON items (ts);
CREATE UNIQUE INDEX items_u_idx ON items (u);
INSERT INTO items (title, content, n, f8, f4, ok, raw, j, jb, ts, tstz, d, ints, texts, small, u, iv)
VALUES
 ('astral 😀 and control ' || chr(1) || chr(8) || chr(12) || E'\t\n\r\\ "q"', 'x',
  3.14159265358979323846264338327950288419716939937510, 'NaN', 'Infinity', true,
  '\x00ff0a5c'::bytea, '{"a" :  [1, 2.50], "a": "dup"}', '{"k": 12345678901234567890.5}',
  '2025-05-27 00:07:50.123456', '2025-05-27 00:07:50.5+02', '2025-05-27',
  '{1,NULL,3}', '{"a b","c,d","e\"f",NULL}', -1000, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '1 year 2 mons 3 days 04:05:06.789'),
 ('nulls', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 ('edges', repeat('é', 10), -0.000000000000000000000000000001, '-Infinity', '-0', false, '\x'::bytea,
  '[]', 'null', 'infinity', '-infinity', '0044-03-15 BC', '{}', '{}', 32767, NULL, '-1 day'),
 ('more floats', '', 'Infinity', 1.5e-300, 3.4028235e38, NULL, NULL, '"s"', '"\u00e9"',
  '1999-12-31 23:59:59.999999', '1970-01-01 00:00:00+00', '9999-12-31', '{{1,2},{3,4}}', '{""}',
  0, NULL, '0'),
 ('big', repeat('abcdefghij', 100000), '1e-10', 2.2250738585072014e-308, 1.17549435e-38,
  true, decode(repeat('00ff', 1000), 'hex'), '{}', '{}', '2025-01-01', '2025-01-01 12:00+00',
  '2025-01-01', NULL, NULL, 1, NULL, NULL);
)";

RunResult Backup(const TestDb& db, const std::string& table, const std::string& dest,
                 std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {"backup", "db",     "--db", db.conninfo(), "--table",
                                table,    "--dest", dest,   "--json"};
  a.insert(a.end(), extra.begin(), extra.end());
  return RunDredge(a);
}

RunResult Restore(const TestDb& db, const std::string& dest, std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {"restore", "db", "--dest", dest, "--db", db.conninfo(), "--json"};
  a.insert(a.end(), extra.begin(), extra.end());
  return RunDredge(a);
}

nlohmann::json Json(const RunResult& r) {
  try {
    return nlohmann::json::parse(r.out);
  } catch (...) {
    ADD_FAILURE() << "not JSON: " << r.out << "\nstderr: " << r.err;
    return nlohmann::json::object();
  }
}

// The parameter names the destination: "file", "s3" (the SigV4-checking server) or "moto".
class DbRoundTrip : public ::testing::TestWithParam<std::string> {
 protected:
  // A fresh destination; for S3 the server's endpoint and credentials are put in the
  // environment the dredge runs inherit (moto accepts any key, so one set serves both).
  std::string Dest(const std::string& tag) {
    if (GetParam() == "file") return "file://" + TempDir(tag);
    auto env = GetParam() == "moto" ? MotoEnv() : S3Env();
    const std::string var = GetParam() == "moto" ? "DREDGE_TEST_MOTO_" : "DREDGE_TEST_S3_";
    setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_ENDPOINT_URL", env[var + "ENDPOINT"].c_str(), 1);
    static int n = 0;
    return "s3://" + env[var + "BUCKET"] + "/db-" + tag + "-" + std::to_string(getpid()) + "-" +
           std::to_string(++n);
  }
};

TEST_P(DbRoundTrip, FullRestoreIsIdenticalForEveryTypeAndSequenceMovesPast) {
  TestDb src("types");
  src.Exec(kTypesTable);
  std::string dest = Dest("types");
  for (const char* compress : {"none", "zstd"}) {
    std::string d = dest + "/" + compress;
    RunResult b = Backup(src, "items", d, {"--compress", compress, "--chunk-size", "2"});
    ASSERT_EQ(b.code, 0) << b.err;
    EXPECT_EQ(Json(b)["rows"], 5);
    EXPECT_EQ(Json(b)["chunks"], 3);

    TestDb dst(std::string("typesr") + compress);
    RunResult r = Restore(dst, d);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(Json(r)["rows"], 5);
    EXPECT_EQ(Json(r)["created"], true);
    EXPECT_EQ(dst.Dump("items", "id"), src.Dump("items", "id"));
    EXPECT_EQ(dst.Scalar("SELECT length(content) FROM items WHERE title = 'big'"), "1000000");
    // Indexes and constraints came back, the sequence continues past every id.
    EXPECT_EQ(dst.Scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 'items'"), "3");
    EXPECT_EQ(dst.Scalar("SELECT count(*) FROM pg_constraint WHERE conrelid = 'items'::regclass "
                         "AND contype = 'c'"),
              "1");
    EXPECT_EQ(dst.Scalar("SELECT nextval('items_id_seq') > (SELECT max(id) FROM items)"), "t");
  }
}

TEST(DbBackupRestore, AsOfEachManifestReproducesTheTableAsItWas) {
  TestDb src("asof");
  src.Exec(
      "CREATE TABLE articles (id serial PRIMARY KEY, title text NOT NULL, "
      "timestamp timestamp NOT NULL, quality_score float);"
      "INSERT INTO articles (title, timestamp, quality_score) SELECT 'a' || g, "
      "'2025-01-01'::timestamp + g * interval '1 day', g FROM generate_series(1, 300) g");
  std::string dest = "file://" + TempDir("asof");
  std::vector<std::string> dumps, manifests;
  auto step = [&](const std::string& sql) {
    if (!sql.empty()) src.Exec(sql);
    RunResult b = Backup(src, "articles", dest, {"--chunk-size", "64"});
    ASSERT_EQ(b.code, 0) << b.err;
    manifests.push_back(Json(b)["manifest"]);
    dumps.push_back(src.Dump("articles", "id"));
  };
  step("");
  step(
      "UPDATE articles SET title = 'changed' WHERE id % 7 = 0; DELETE FROM articles WHERE id "
      "BETWEEN 100 AND 120; INSERT INTO articles (title, timestamp) VALUES ('new', now())");
  step(
      "DELETE FROM articles WHERE id = 5; UPDATE articles SET quality_score = NULL WHERE id = 6;"
      "INSERT INTO articles (id, title, timestamp) VALUES (110, 'reinserted', now())");
  step("");  // nothing changed: an empty incremental run
  ASSERT_EQ(manifests.size(), 4u);

  for (size_t i = 0; i < manifests.size(); ++i) {
    TestDb dst("asofr" + std::to_string(i));
    RunResult r = Restore(dst, dest, {"--manifest", *dbkeys::ManifestIdOfKey(manifests[i])});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(dst.Dump("articles", "id"), dumps[i]) << "restore point " << i;
  }
  // --as-of the time of the second manifest's name picks that one (or a later one written
  // within the same second, which holds the same state when nothing changed in between).
  auto stamp = *dbkeys::ManifestStamp(manifests[1]);
  std::string iso = stamp.substr(0, 4) + "-" + stamp.substr(4, 2) + "-" + stamp.substr(6, 2) + "T" +
                    stamp.substr(9, 2) + ":" + stamp.substr(11, 2) + ":" + stamp.substr(13, 2) +
                    "Z";
  TestDb dst("asoft");
  RunResult r = Restore(dst, dest, {"--as-of", iso});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Json(r)["manifest"], manifests[1]);
  EXPECT_EQ(dst.Dump("articles", "id"), dumps[1]);
  // Incremental runs wrote only the changed rows. The cursor is the previous snapshot's xmin,
  // and xids are cluster-wide: when another test's transaction was running at that snapshot,
  // rows committed since it began are (correctly, conservatively) written again. The counts are
  // exact only after a snapshot at which nothing else ran (xmin == xmax).
  auto quiet_after = [&](size_t i) { return QuietSnapshot(dest, manifests[i]); };

  RunResult list = RunDredge({"manifests", "--dest", dest, "--json"});
  ASSERT_EQ(list.code, 0) << list.err;
  auto ms = Json(list)["manifests"];
  EXPECT_EQ(ms[0]["rows"], 300);
  EXPECT_EQ(ms[1]["mode"], "incremental");
  const int changed = 300 / 7 - 3 + 1;  // 42 updated minus 3 deleted, plus 1 new
  if (quiet_after(0)) {
    EXPECT_EQ(ms[1]["rows"], changed);
  } else {  // at most every row live at the run (all, when the other began before the table)
    EXPECT_GE(ms[1]["rows"].get<int>(), changed);
    EXPECT_LE(ms[1]["rows"].get<int>(), ms[1]["live_keys"].get<int>());
  }
  EXPECT_EQ(ms[3]["mode"], "incremental");
  if (quiet_after(2)) {
    EXPECT_EQ(ms[3]["rows"], 0);
  } else {
    EXPECT_LE(ms[3]["rows"].get<int>(), ms[3]["live_keys"].get<int>());
  }
}

TEST(DbBackupRestore, InterleavedTransactionsCommittingOutOfOrderAreNeverMissed) {
  TestDb src("interleave");
  src.Exec(
      "CREATE TABLE t (id serial PRIMARY KEY, v text);"
      "INSERT INTO t (v) SELECT 'x' FROM generate_series(1, 10)");
  std::string dest = "file://" + TempDir("interleave");
  RunResult first = Backup(src, "t", dest);
  ASSERT_EQ(first.code, 0) << first.err;

  // A writer takes a low id and an update (in a savepoint: a subtransaction id), then waits.
  auto slow = src.Connect();
  ASSERT_TRUE(slow->Exec("BEGIN; INSERT INTO t (v) VALUES ('slow')").ok());
  ASSERT_TRUE(slow->Exec("SAVEPOINT s; UPDATE t SET v = 'slow-update' WHERE id = 3").ok());
  // Others take higher ids and commit first.
  src.Exec("INSERT INTO t (v) VALUES ('fast1'), ('fast2')");
  RunResult mid = Backup(src, "t", dest);
  ASSERT_EQ(mid.code, 0) << mid.err;
  // The uncommitted row is invisible to it: the two fast rows (and, when another test's
  // transaction held the first run's cursor back, rows written again; never the slow one).
  if (QuietSnapshot(dest, Json(first)["manifest"])) {
    EXPECT_EQ(Json(mid)["rows"], 2);
  } else {
    EXPECT_GE(Json(mid)["rows"].get<int>(), 2);
    EXPECT_LE(Json(mid)["rows"].get<int>(), 12);
  }
  ASSERT_TRUE(slow->Exec("RELEASE s; COMMIT").ok());
  src.Exec("INSERT INTO t (v) VALUES ('after')");

  RunResult last = Backup(src, "t", dest);
  ASSERT_EQ(last.code, 0) << last.err;
  TestDb dst("interleaver");
  ASSERT_EQ(Restore(dst, dest).code, 0);
  EXPECT_EQ(dst.Dump("t", "id"), src.Dump("t", "id"));
  EXPECT_EQ(dst.Scalar("SELECT v FROM t WHERE id = 11"), "slow");
  EXPECT_EQ(dst.Scalar("SELECT v FROM t WHERE id = 3"), "slow-update");
}

TEST_P(DbRoundTrip, CompositeKeyTableRoundTripsThroughAnIncrementalRun) {
  TestDb src("composite");
  src.Exec(
      "CREATE TABLE pages (paper text, page int, body text, PRIMARY KEY (paper, page));"
      "INSERT INTO pages SELECT 'p\t' || (g % 3), g, 'b' || g FROM generate_series(1, 50) g");
  std::string dest = Dest("composite");
  ASSERT_EQ(Backup(src, "pages", dest, {"--chunk-size", "7"}).code, 0);
  src.Exec(
      "UPDATE pages SET body = 'new' WHERE page < 5; DELETE FROM pages WHERE page = 9;"
      "INSERT INTO pages VALUES ('other', 1, 'x')");
  ASSERT_EQ(Backup(src, "pages", dest).code, 0);
  TestDb dst("compositer");
  RunResult r = Restore(dst, dest);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(dst.Dump("pages", "1, 2"), src.Dump("pages", "1, 2"));
}

INSTANTIATE_TEST_SUITE_P(Stores, DbRoundTrip, ::testing::Values("file", "s3", "moto"),
                         [](const auto& info) { return info.param; });

TEST(DbBackupRestore, FiltersIntoAndNonEmptyTargets) {
  TestDb src("filters");
  src.Exec(
      "CREATE TABLE articles (id serial PRIMARY KEY, title text, published date);"
      "INSERT INTO articles (title, published) SELECT 't' || g, "
      "'1920-01-01'::date + g FROM generate_series(1, 400) g");
  std::string dest = "file://" + TempDir("filters");
  ASSERT_EQ(Backup(src, "articles", dest, {"--chunk-size", "50"}).code, 0);

  TestDb dst("filtersr");
  RunResult r = Restore(dst, dest, {"--since", "1920-02-01", "--until", "1920-02-10"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Json(r)["rows"], 10);
  EXPECT_GE(Json(r)["chunks_skipped"].get<int>(), 6);  // zone maps
  EXPECT_EQ(dst.Scalar("SELECT min(published) || ' ' || max(published) FROM articles"),
            "1920-02-01 1920-02-10");

  // The table is no longer empty: refused (exit 1) without a mode.
  RunResult again = Restore(dst, dest);
  EXPECT_EQ(again.code, 1) << again.err;
  EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.err;
  RunResult merge = Restore(dst, dest, {"--merge", "--ids", "1-5,399"});
  ASSERT_EQ(merge.code, 0) << merge.err;
  EXPECT_EQ(dst.Scalar("SELECT count(*) FROM articles"), "16");
  RunResult bad = Restore(dst, dest, {"--replace", "--ids", "1"});
  EXPECT_EQ(bad.code, 2) << bad.err;
  RunResult replace = Restore(dst, dest, {"--replace"});
  ASSERT_EQ(replace.code, 0) << replace.err;
  EXPECT_EQ(dst.Dump("articles", "id"), src.Dump("articles", "id"));

  // --into a new table with its own sequence; the source's is untouched.
  RunResult into = Restore(dst, dest, {"--into", "copy_of_articles", "--ids", "@/dev/null"});
  EXPECT_EQ(into.code, 2);  // an empty id file is a usage error
  into = Restore(dst, dest, {"--into", "copy_of_articles"});
  ASSERT_EQ(into.code, 0) << into.err;
  EXPECT_EQ(dst.Dump("copy_of_articles", "id"), src.Dump("articles", "id"));
  EXPECT_EQ(dst.Scalar("SELECT pg_get_serial_sequence('copy_of_articles', 'id')"),
            "public.copy_of_articles_id_seq");
  EXPECT_EQ(dst.Scalar("SELECT nextval('copy_of_articles_id_seq')"), "401");
}

TEST(DbBackupRestore, LegacyStoryDredgeChunksRestore) {
  std::string dir = TempDir("legacy");
  std::filesystem::create_directories(dir + "/database_backups/chunks");
  std::filesystem::create_directories(dir + "/database_backups/manifests");
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir + "/database_backups/" + name) << text;
  };
  // Run 1 (numbers start at 1), run 2 restarts at 1 and carries a newer version of id 2.
  write("chunks/chunk_000001_20250527_000750.json", R"([
  {
    "id": 1, "title": "Caf\u00e9 \ud83d\ude00", "content": "line\nbreak", "publication": "p",
    "source_url": "archive.org/per_atlanta-constitution_1920-01-01_52_203",
    "timestamp": "2025-05-27 00:07:50.123456", "quality_score": NaN,
    "newsworthiness_score": Infinity, "unusualness_score": -Infinity
  },
  {
    "id": 2, "title": "old", "content": "c", "publication": "p", "source_url": "u",
    "timestamp": "2025-05-27 00:07:51", "quality_score": 0.5,
    "newsworthiness_score": null, "unusualness_score": 1e-05
  }
])");
  write("chunks/chunk_000001_20250528_000750.json", R"([
  {
    "id": 2, "title": "new", "content": "c", "publication": "p", "source_url": "u",
    "timestamp": "2025-05-28 00:07:51", "quality_score": 0.75,
    "newsworthiness_score": null, "unusualness_score": null
  }
])");
  write("manifests/backup_manifest_20250528_000800.json",
        R"({"backup_info": {"timestamp": "2025-05-28T00:08:00", "type": "incremental"}})");

  TestDb dst("legacy");
  dst.Exec(
      "CREATE TABLE articles (id SERIAL PRIMARY KEY, title TEXT NOT NULL, content TEXT NOT "
      "NULL, publication TEXT NOT NULL, source_url TEXT NOT NULL, timestamp TIMESTAMP NOT "
      "NULL, quality_score FLOAT, newsworthiness_score FLOAT, unusualness_score FLOAT, "
      "created_at TIMESTAMP DEFAULT NOW())");
  RunResult r = Restore(dst, "file://" + dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Json(r)["rows"], 2);
  EXPECT_EQ(Json(r)["legacy"], true);
  EXPECT_EQ(dst.Dump("(SELECT id, title, content, timestamp, quality_score, newsworthiness_score, "
                     "unusualness_score, created_at IS NOT NULL FROM articles) a",
                     "id"),
            "1\tCaf\xC3\xA9 \xF0\x9F\x98\x80\tline\\nbreak\t2025-05-27 00:07:50.123456\tNaN\t"
            "Infinity\t-Infinity\tt\n"
            "2\tnew\tc\t2025-05-28 00:07:51\t0.75\t\\N\t\\N\tt\n");
  EXPECT_EQ(dst.Scalar("SELECT nextval('articles_id_seq')"), "3");

  // A later dredge run continues the chunk numbers after the legacy ones.
  TestDb src("legacysrc");
  src.Exec(
      "CREATE TABLE articles (id int PRIMARY KEY, title text); INSERT INTO articles VALUES (1, "
      "'x')");
  ASSERT_EQ(Backup(src, "articles", "file://" + dir).code, 0);
  EXPECT_TRUE(std::filesystem::exists(dir + "/database_backups/chunks"));
  int numbered2 = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/database_backups/chunks"))
    if (e.path().filename().string().rfind("chunk_000002_", 0) == 0) ++numbered2;
  EXPECT_EQ(numbered2, 1);
}

TEST(DbBackupRestore, LegacyRestoreRefusesWhatItCannotDoAndSaysWhatToDo) {
  std::string dir = TempDir("legacyrefuse");
  std::filesystem::create_directories(dir + "/database_backups/chunks");
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir + "/database_backups/chunks/" + name) << text;
  };
  write("chunk_000001_20250527_000750.json", R"([{"id": 1, "title": "t"}])");
  auto said = [](const RunResult& r, const std::string& what) {
    return (r.out + r.err).find(what) != std::string::npos;
  };

  TestDb no_table("legacynotable");
  RunResult missing = Restore(no_table, "file://" + dir);
  EXPECT_NE(missing.code, 0);
  EXPECT_TRUE(said(missing, "does not exist: a legacy backup carries no schema")) << missing.err;

  TestDb other_key("legacyotherkey");
  other_key.Exec("CREATE TABLE articles (article_key int PRIMARY KEY, title text)");
  RunResult unkeyed = Restore(other_key, "file://" + dir);
  EXPECT_NE(unkeyed.code, 0);
  EXPECT_TRUE(said(unkeyed, "needs a primary key carried by the legacy rows")) << unkeyed.err;
  EXPECT_EQ(other_key.Scalar("SELECT count(*) FROM articles"), "0");

  std::filesystem::remove(dir + "/database_backups/chunks/chunk_000001_20250527_000750.json");
  write("chunk_000002_20250527_000750.json", "[]");
  TestDb empty("legacyempty");
  empty.Exec("CREATE TABLE articles (id int PRIMARY KEY, title text)");
  RunResult none = Restore(empty, "file://" + dir);
  EXPECT_NE(none.code, 0);
  EXPECT_TRUE(said(none, "no StoryDredge chunk with rows")) << none.err;
}

}  // namespace
}  // namespace dredge::testing
