// Comparing two manifests of the database tier: `verify db --db` compares the live table with
// the manifest the selector forms choose (engine/db/manifest_select.h: latest, an id, the key,
// --as-of), not only the newest; `dredge diff --tier db A B` gives the rows inserted, updated
// and deleted between two manifests, exactly, with the chunks the new rows came from.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "formats/db_keys.h"
#include "pg_test_util.h"

namespace dredge::testing {
namespace {

struct TwoManifests {
  std::string dest, first, second;  // the destination URL and the two manifest keys
};

// Table t of 40 rows backed up, changed by `sql`, backed up again.
TwoManifests BackUpTwice(TestDb& src, const std::string& tag, const std::string& sql) {
  src.Exec(
      "CREATE TABLE t (id serial PRIMARY KEY, body text);"
      "INSERT INTO t (body) SELECT 'row ' || g FROM generate_series(1, 40) g");
  TwoManifests m;
  m.dest = "file://" + TempDir(tag);
  auto backup = [&] {
    RunResult b = RunDredge(
        {"backup", "db", "--db", src.conninfo(), "--table", "t", "--dest", m.dest, "--json"});
    EXPECT_EQ(b.code, 0) << b.err;
    return nlohmann::json::parse(b.out)["manifest"].get<std::string>();
  };
  m.first = backup();
  src.Exec(sql);
  m.second = backup();
  return m;
}

TEST(DbVerifySelect, ManifestAndLatestChooseWhatVerifyComparesWith) {
  TestDb src("verifysel");
  auto [dest, first, second] =
      BackUpTwice(src, "verifysel",
                  "UPDATE t SET body = 'later' WHERE id = 1; INSERT INTO t (body) VALUES ('new')");
  ASSERT_NE(first, second);

  auto verify = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"verify", "db",           "--dest", dest,
                                     "--db",   src.conninfo(), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunDredge(args);
  };
  RunResult old = verify({"--manifest", *dbkeys::ManifestIdOfKey(first)});
  ASSERT_EQ(old.code, 0) << old.err;
  auto j = nlohmann::json::parse(old.out)["db"];
  EXPECT_EQ(j["manifest"], first);
  EXPECT_EQ(j["not_yet_backed_up"], 2);  // the update and the insert came after it
  EXPECT_EQ(j["mismatched"], 0);

  RunResult latest = verify({"--manifest", "latest"});
  ASSERT_EQ(latest.code, 0) << latest.err;
  j = nlohmann::json::parse(latest.out)["db"];
  EXPECT_EQ(j["manifest"], second);
  EXPECT_EQ(j["not_yet_backed_up"], 0);

  RunResult by_key = verify({"--manifest", first});
  ASSERT_EQ(by_key.code, 0) << by_key.err;
  EXPECT_EQ(nlohmann::json::parse(by_key.out)["db"]["manifest"], first);

  RunResult early = verify({"--as-of", "2000-01-01T00:00:00Z"});
  EXPECT_EQ(early.code, 1) << early.out;  // no manifest that old: NotFound, named
  EXPECT_FALSE(early.err.empty());

  RunResult no_db = RunDredge({"verify", "db", "--dest", dest, "--manifest", "latest"});
  EXPECT_EQ(no_db.code, 2) << no_db.err;
  EXPECT_NE(no_db.err.find("--db"), std::string::npos) << no_db.err;
}

TEST(DbDiff, InsertedUpdatedDeletedAndTheirChunksBetweenTwoManifests) {
  TestDb src("dbdiff");
  auto [dest, first, second] = BackUpTwice(src, "dbdiff",
                                           "UPDATE t SET body = 'later' WHERE id = 1; DELETE FROM "
                                           "t WHERE id = 2; INSERT INTO t (body) VALUES ('new')");

  std::string first_id = *dbkeys::ManifestIdOfKey(first);
  RunResult r = RunDredge({"diff", "--tier", "db", first_id, "latest", "--dest", dest, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["from"], first);
  EXPECT_EQ(j["to"], second);
  ASSERT_EQ(j["tables"].size(), 1u) << r.out;
  auto t = j["tables"][0];
  EXPECT_EQ(t["inserted"], 1);
  EXPECT_EQ(t["updated"], 1);
  EXPECT_EQ(t["deleted"], 1);
  EXPECT_EQ(t["unchanged"], 38);
  uint64_t rows = 0;
  for (const auto& c : t["chunks"]) {
    EXPECT_NE(c["chunk"].get<std::string>().find("chunk_"), std::string::npos) << c;
    rows += c["rows"].get<uint64_t>();
  }
  EXPECT_EQ(rows, 2u) << "the inserted and the updated row each name their chunk";

  RunResult text = RunDredge({"diff", "--tier", "db", first_id, "latest", "--dest", dest});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("1 inserted, 1 updated, 1 deleted"), std::string::npos) << text.out;

  RunResult same =
      RunDredge({"diff", "--tier", "db", "latest", "latest", "--dest", dest, "--json"});
  ASSERT_EQ(same.code, 0) << same.err;
  auto s = nlohmann::json::parse(same.out)["tables"][0];
  EXPECT_EQ(s["inserted"], 0);
  EXPECT_EQ(s["updated"], 0);
  EXPECT_EQ(s["deleted"], 0);

  RunResult globs = RunDredge({"diff", "--tier", "db", "latest", "latest", "x*", "--dest", dest});
  EXPECT_EQ(globs.code, 2) << globs.err;
}

}  // namespace
}  // namespace dredge::testing
