// `dredge diff --tier db A B`: rows inserted, updated and deleted between two manifests, exact,
// with the chunks the new rows came from; the same manifest twice differs in nothing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "formats/db_keys.h"
#include "pg_test_util.h"

namespace dredge::testing {
namespace {

TEST(DbDiff, InsertedUpdatedDeletedAndTheirChunksBetweenTwoManifests) {
  TestDb src("dbdiff");
  src.Exec(
      "CREATE TABLE t (id serial PRIMARY KEY, body text);"
      "INSERT INTO t (body) SELECT 'row ' || g FROM generate_series(1, 40) g");
  std::string dest = "file://" + TempDir("dbdiff");
  auto backup = [&] {
    RunResult b = RunDredge(
        {"backup", "db", "--db", src.conninfo(), "--table", "t", "--dest", dest, "--json"});
    EXPECT_EQ(b.code, 0) << b.err;
    return nlohmann::json::parse(b.out)["manifest"].get<std::string>();
  };
  std::string first = backup();
  src.Exec(
      "UPDATE t SET body = 'later' WHERE id = 1; DELETE FROM t WHERE id = 2;"
      "INSERT INTO t (body) VALUES ('new')");
  std::string second = backup();

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
