// `verify db --db` compares the live table with the manifest the selector forms choose
// (engine/db/manifest_select.h: latest, an id, the key, --as-of), not only with the newest.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "formats/db_keys.h"
#include "pg_test_util.h"

namespace dredge::testing {
namespace {

TEST(DbVerifySelect, ManifestAndLatestChooseWhatVerifyComparesWith) {
  TestDb src("verifysel");
  src.Exec(
      "CREATE TABLE t (id serial PRIMARY KEY, body text);"
      "INSERT INTO t (body) SELECT 'row ' || g FROM generate_series(1, 40) g");
  std::string dest = "file://" + TempDir("verifysel");
  auto backup = [&] {
    RunResult b = RunDredge(
        {"backup", "db", "--db", src.conninfo(), "--table", "t", "--dest", dest, "--json"});
    EXPECT_EQ(b.code, 0) << b.err;
    return nlohmann::json::parse(b.out)["manifest"].get<std::string>();
  };
  std::string first = backup();
  src.Exec("UPDATE t SET body = 'later' WHERE id = 1; INSERT INTO t (body) VALUES ('new')");
  std::string second = backup();
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

}  // namespace
}  // namespace dredge::testing
