// Several connections of one run reading one snapshot (engine/db/export_workers.h), nested
// partitions backed up through their topmost table and restored partitioned at every level,
// and what a run names instead of backing up (views, materialized views, types defined in the
// database): docs/db-tier.md, "Several tables".
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "pg_test_util.h"

namespace dredge::testing {
namespace {

std::string SchemaDump(const TestDb& db) {
  std::string out = TempDir("schema") + "/schema.sql";
  std::string cmd =
      "pg_dump --schema-only --no-owner -d " + ShellQuote(db.name()) + " -f " + ShellQuote(out);
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::string text, line;
  std::istringstream in(ReadAll(out));
  // pg_dump's \restrict lines carry a random key (see db_multi_table_test.cpp).
  while (std::getline(in, line))
    if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0)
      text += line + "\n";
  return text;
}

// `dredge --config` with `tables = "*"` of the public schema into a file:// destination.
RunResult BackupEverything(const TestDb& db, const std::string& dir, const std::string& dest) {
  std::string config = dir + "/dredge.toml";
  std::ofstream(config) << "[db]\nconninfo = \"" << db.conninfo()
                        << "\"\ntables = \"*\"\n[[db.destination]]\nurl = \"" << dest
                        << "\"\n[logging]\ndir = \"" << dir << "/logs\"\n";
  ::setenv("XDG_CACHE_HOME", (dir + "/cache").c_str(), 1);
  return RunDredge({"--config", config, "backup", "db", "--json"});
}

RunResult Restore(const std::string& dest, const TestDb& into) {
  return RunDredge({"restore", "db", "--dest", dest, "--db", into.conninfo(), "--json"});
}

// What the run named, as "name (kind)".
std::vector<std::string> Named(const nlohmann::json& j) {
  std::vector<std::string> out;
  for (const auto& n : j["not_backed_up"])
    out.push_back(n["name"].get<std::string>() + " (" + n["kind"].get<std::string>() + ")");
  return out;
}

// Four tables read at once on four connections while a writer commits one row to every table
// per transaction: each transaction is in all four restored tables or in none, some committed
// before the snapshot are in, and the ones after are not.
TEST(DbSharedSnapshot, RowsCommittedDuringTheRunAreInEveryTableOrNone) {
  TestDb src("snap_src");
  std::string base;
  for (int t = 0; t < 4; ++t) {
    std::string n = "t" + std::to_string(t);
    base += "CREATE TABLE " + n + " (id bigint PRIMARY KEY, pad text NOT NULL);INSERT INTO " + n +
            " SELECT g, repeat(md5(g::text), 6) FROM generate_series(1, 40000) g;";
  }
  src.Exec(base);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> committed{0};
  std::thread writer([&] {
    auto c = src.Connect();
    for (int64_t n = 1000001; !stop; ++n) {
      std::string sql = "BEGIN;";
      for (int t = 0; t < 4; ++t)
        sql += "INSERT INTO t" + std::to_string(t) + " VALUES (" + std::to_string(n) + ", 'w');";
      ASSERT_TRUE(c->Exec(sql + "COMMIT").ok());
      committed = n - 1000000;
    }
  });
  while (committed < 5) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::string dest = "file://" + TempDir("snap");
  RunResult b = RunDredge({"backup", "db", "--db", src.conninfo(), "--dest", dest, "--table", "t0",
                           "--table", "t1", "--table", "t2", "--table", "t3", "--workers", "8",
                           "--chunk-size", "2000", "--json"});
  int64_t at_end = committed;
  stop = true;
  writer.join();
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_NE(b.err.find("4 tables read on 4 connections sharing one snapshot"), std::string::npos)
      << b.err;

  TestDb dst("snap_dst");
  RunResult r = Restore(dest, dst);
  ASSERT_EQ(r.code, 0) << r.err;
  std::string in_t0 = dst.Scalar("SELECT count(*) || '/' || max(id) FROM t0 WHERE id > 1000000");
  for (int t = 1; t < 4; ++t)
    EXPECT_EQ(dst.Scalar("SELECT count(*) || '/' || max(id) FROM t" + std::to_string(t) +
                         " WHERE id > 1000000"),
              in_t0)
        << "table t" << t;
  int64_t in = std::stoll(in_t0.substr(0, in_t0.find('/')));
  EXPECT_GE(in, 5);
  EXPECT_LT(in, at_end) << "the writer committed during the run: its later rows are not in it";
  EXPECT_EQ(in_t0, std::to_string(in) + "/" + std::to_string(1000000 + in));
  EXPECT_EQ(dst.Scalar("SELECT count(*) FROM t3 WHERE id <= 40000"), "40000");
}

const char* kNested = R"(
CREATE TABLE events (id bigserial, at date NOT NULL, region text NOT NULL, payload text,
  PRIMARY KEY (id, at, region)) PARTITION BY RANGE (at);
COMMENT ON TABLE events IS 'every event';
CREATE TABLE events_2020 PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')
  PARTITION BY LIST (region);
CREATE TABLE events_2020_eu PARTITION OF events_2020 FOR VALUES IN ('eu');
CREATE TABLE events_2020_other PARTITION OF events_2020 DEFAULT;
COMMENT ON TABLE events_2020_eu IS 'europe, 2020';
CREATE TABLE events_2021 PARTITION OF events FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
CREATE INDEX events_payload_idx ON events (payload);
INSERT INTO events (at, region, payload)
  SELECT DATE '2020-01-01' + g, (ARRAY['eu', 'us', 'asia'])[1 + g % 3], 'event ' || g
  FROM generate_series(0, 700) g;
)";

// A partitioned table whose partitions are partitioned themselves: one entry, rows read through
// the topmost table, every partition named, restored level by level with the same schema.
TEST(DbNestedPartitions, BackedUpThroughTheTopTableAndRestoredPartitionedAtEveryLevel) {
  TestDb src("nested_src");
  src.Exec(kNested);
  std::string dir = TempDir("nested"), dest = "file://" + dir + "/store";
  RunResult b = BackupEverything(src, dir, dest);
  ASSERT_EQ(b.code, 0) << b.err;
  auto j = nlohmann::json::parse(b.out);
  ASSERT_EQ(j["tables"].size(), 1u) << b.out;
  EXPECT_EQ(j["tables"][0]["rows"], 701);
  std::vector<std::string> named = {
      "public.events_2020 (partition)", "public.events_2020_eu (partition)",
      "public.events_2020_other (partition)", "public.events_2021 (partition)"};
  EXPECT_EQ(Named(j), named);
  EXPECT_EQ(j["not_backed_up"][1]["action"],
            "backed up through its partitioned table public.events");

  src.Exec(
      "INSERT INTO events (at, region, payload) VALUES ('2020-05-05', 'eu', 'later');"
      "UPDATE events SET payload = 'changed' WHERE id = 3;");
  b = BackupEverything(src, dir, dest);
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(nlohmann::json::parse(b.out)["tables"][0]["mode"], "incremental") << b.out;

  TestDb dst("nested_dst");
  RunResult r = Restore(dest, dst);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(dst.Dump("events"), src.Dump("events"));
  // Each row is in the leaf it was in (123: 122 of the first load and one added).
  EXPECT_EQ(dst.Dump("events_2020_eu"), src.Dump("events_2020_eu"));
  EXPECT_EQ(dst.Scalar("SELECT count(*) FROM events_2020_eu"), "123");
  EXPECT_EQ(SchemaDump(dst), SchemaDump(src));
}

const char* kObjects = R"(
CREATE TYPE mood AS ENUM ('calm', 'angry');
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE TABLE people (id serial PRIMARY KEY, m mood, history mood[], n positive NOT NULL);
INSERT INTO people (m, history, n) VALUES ('calm', '{calm,angry}', 1), (NULL, '{}', 2),
  ('angry', NULL, 3);
CREATE VIEW calm_people AS SELECT id FROM people WHERE m = 'calm';
CREATE MATERIALIZED VIEW people_count AS SELECT count(*) AS n FROM people;
)";

// What is not backed up as a table is named with what was done: a view, a materialized view,
// and each type defined in the database with the columns that use it. Restoring into a
// database without the types fails naming the type and leaves nothing; with them it works.
TEST(DbNotBackedUp, ViewsMaterializedViewsAndDatabaseTypesAreNamedWithWhatWasDone) {
  TestDb src("objects_src");
  src.Exec(kObjects);
  std::string dir = TempDir("objects"), dest = "file://" + dir + "/store";
  RunResult b = BackupEverything(src, dir, dest);
  ASSERT_EQ(b.code, 0) << b.err;
  auto j = nlohmann::json::parse(b.out);
  std::vector<std::string> named = {"public.calm_people (view)",
                                    "public.people_count (materialized view)", "mood (enum type)",
                                    "positive (domain)"};
  EXPECT_EQ(Named(j), named) << b.out;
  EXPECT_NE(j["not_backed_up"][2]["action"].get<std::string>().find(
                "public.people.m, public.people.history are backed up as text"),
            std::string::npos)
      << b.out;
  EXPECT_NE(b.err.find("mood (enum type)"), std::string::npos) << b.err;

  TestDb bare("objects_bare");
  RunResult r = Restore(dest, bare);
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("mood"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("create the type"), std::string::npos) << r.err;
  EXPECT_EQ(bare.Scalar("SELECT to_regclass('people') IS NULL"), "t");

  TestDb typed("objects_typed");
  typed.Exec(
      "CREATE TYPE mood AS ENUM ('calm', 'angry');"
      "CREATE DOMAIN positive AS integer CHECK (VALUE > 0);");
  r = Restore(dest, typed);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(typed.Dump("people"), src.Dump("people"));
}

}  // namespace
}  // namespace dredge::testing
