// Several tables in one backup (docs/formats/manifest.md, version 2): one snapshot for all of
// them, restored together at any point with their foreign keys, a subset with and without
// --with-dependencies, the schema (comments, constraints, indexes, partitions, sequences)
// identical to the source's by pg_dump --schema-only, and a one-table backup still written as
// version 1.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "pg_test_util.h"

namespace dredge::testing {
namespace {

const char* kSchema = R"(
CREATE TABLE publications (id serial PRIMARY KEY, name text NOT NULL,
  CONSTRAINT publications_name_key UNIQUE (name));
COMMENT ON TABLE publications IS 'newspapers';
COMMENT ON COLUMN publications.name IS 'title of the paper, as printed';
CREATE TABLE articles (
  id bigserial,
  published date NOT NULL,
  publication_id integer NOT NULL REFERENCES publications(id),
  title text,
  score double precision CONSTRAINT articles_score_check CHECK (score >= 0),
  PRIMARY KEY (id, published)
) PARTITION BY RANGE (published);
COMMENT ON TABLE articles IS 'one row per article';
CREATE TABLE articles_1920 PARTITION OF articles FOR VALUES FROM ('1920-01-01') TO ('1921-01-01');
CREATE TABLE articles_1921 PARTITION OF articles FOR VALUES FROM ('1921-01-01') TO ('1922-01-01');
CREATE INDEX articles_title_idx ON articles (title);
CREATE TABLE tags (article_id bigint, published date, tag text NOT NULL,
  FOREIGN KEY (article_id, published) REFERENCES articles(id, published));
COMMENT ON COLUMN tags.tag IS 'lower case';
CREATE VIEW recent_articles AS SELECT id, title FROM articles WHERE published > '1921-06-01';
INSERT INTO publications (name) VALUES ('Atlanta Constitution'), ('Chicago Tribune');
INSERT INTO articles (published, publication_id, title, score)
  SELECT DATE '1920-01-01' + (g * 3), 1 + g % 2, 'article ' || g, g / 10.0
  FROM generate_series(1, 200) g;
INSERT INTO tags SELECT id, published, 'tag' || (id % 3) FROM articles WHERE id % 4 = 0;
)";

// One transaction per change, as the pipeline makes them.
const char* kChange1 = R"(
BEGIN;
INSERT INTO publications (name) VALUES ('New York Herald');
INSERT INTO articles (published, publication_id, title, score)
  SELECT DATE '1921-03-01' + g, 3, 'herald ' || g, 1 FROM generate_series(1, 20) g;
UPDATE articles SET title = title || ' (corrected)' WHERE id % 10 = 0;
DELETE FROM tags WHERE tag = 'tag1';
INSERT INTO tags SELECT id, published, 'herald' FROM articles WHERE publication_id = 3;
COMMIT;
)";

const char* kChange2 = R"(
BEGIN;
DELETE FROM tags WHERE article_id > 150;
DELETE FROM articles WHERE id > 150 AND id <= 200;
UPDATE publications SET name = 'The Atlanta Constitution' WHERE id = 1;
COMMIT;
)";

const std::vector<std::string> kTables = {"publications", "articles", "tags"};

std::string Dumps(const TestDb& db) {
  return db.Dump("publications") + "--\n" + db.Dump("articles", "1, 2") + "--\n" +
         db.Dump("tags", "1, 2, 3");
}

RunResult BackupAll(const TestDb& db, const std::string& dest) {
  std::vector<std::string> a = {"backup", "db", "--db", db.conninfo(), "--dest", dest, "--json"};
  for (const auto& t : kTables) a.insert(a.end(), {"--table", t});
  a.insert(a.end(), {"--table", "recent_articles", "--table", "articles_1920"});
  return RunDredge(a);
}

RunResult Restore(const std::string& dest, const TestDb& into, std::vector<std::string> extra) {
  std::vector<std::string> a = {"restore", "db", "--dest", dest, "--db", into.conninfo(), "--json"};
  a.insert(a.end(), extra.begin(), extra.end());
  return RunDredge(a);
}

// pg_dump (15.14 and later) brackets its output with \restrict KEY / \unrestrict KEY lines
// whose key is random on every run: left out of the comparison.
std::string WithoutRestrictKeys(const std::string& dump) {
  std::string out, line;
  std::istringstream in(dump);
  while (std::getline(in, line))
    if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0)
      out += line + "\n";
  return out;
}

std::string SchemaDump(const TestDb& db) {
  std::string out = TempDir("schema") + "/schema.sql";
  std::string cmd =
      "pg_dump --schema-only --no-owner -d " + ShellQuote(db.name()) + " -f " + ShellQuote(out);
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return WithoutRestrictKeys(ReadAll(out));
}

class DbMultiTable : public ::testing::Test {
 protected:
  void SetUp() override {
    src_.Exec(kSchema);
    dest_ = "file://" + TempDir("multi");
  }
  // Backs up and returns the manifest id; `states_` gets the source's rows at that point.
  std::string Backup() {
    RunResult b = BackupAll(src_, dest_);
    EXPECT_EQ(b.code, 0) << b.err;
    auto j = nlohmann::json::parse(b.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << b.out;
    last_ = j;
    std::string key = j.value("manifest", "");
    states_.push_back(Dumps(src_));
    return key.substr(key.rfind('/') + 1, key.size() - key.rfind('/') - 6);
  }
  TestDb src_{"multi_src"};
  std::string dest_;
  nlohmann::json last_;
  std::vector<std::string> states_;
};

TEST_F(DbMultiTable, EveryPointRestoresAllTablesConsistently) {
  std::vector<std::string> ids = {Backup()};
  // The first run names what it did not back up as a table, and reads the keyless table whole.
  ASSERT_EQ(last_["not_backed_up"].size(), 2u) << last_.dump();
  EXPECT_EQ(last_["not_backed_up"][0]["name"], "public.recent_articles");
  EXPECT_EQ(last_["not_backed_up"][0]["kind"], "view");
  EXPECT_EQ(last_["not_backed_up"][1]["name"], "public.articles_1920");
  EXPECT_EQ(last_["not_backed_up"][1]["kind"], "partition");
  ASSERT_EQ(last_["tables"].size(), 3u);
  EXPECT_EQ(last_["tables"][2]["table"], "public.tags");
  EXPECT_EQ(last_["tables"][2]["key"], "none");
  EXPECT_EQ(last_["tables"][2]["full_reason"], "no key");
  src_.Exec(kChange1);
  ids.push_back(Backup());
  EXPECT_EQ(last_["tables"][0]["mode"], "incremental") << last_.dump();
  EXPECT_EQ(last_["tables"][2]["mode"], "full");
  src_.Exec(kChange2);
  ids.push_back(Backup());

  for (size_t i = 0; i < ids.size(); ++i) {
    TestDb dst("multi_dst");
    RunResult r = Restore(dest_, dst, {"--manifest", ids[i]});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(Dumps(dst), states_[i]) << "restore point " << ids[i];
    // The foreign keys are there and hold.
    EXPECT_EQ(dst.Scalar("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND "
                         "conparentid = 0"),
              "2");
    // Restored as a partitioned table with its two partitions.
    EXPECT_EQ(dst.Scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = "
                         "'articles'::regclass"),
              "2");
  }
}

TEST_F(DbMultiTable, SchemaIsIdenticalToTheSourceByPgDump) {
  Backup();
  TestDb dst("multi_schema");
  RunResult r = Restore(dest_, dst, {});
  ASSERT_EQ(r.code, 0) << r.err;
  src_.Exec("DROP VIEW recent_articles");  // views are not backed up (the run said so)
  EXPECT_EQ(SchemaDump(dst), SchemaDump(src_));
  // The sequences continue after the restored rows.
  EXPECT_EQ(dst.Scalar("SELECT nextval('articles_id_seq') > 200"), "t");
  EXPECT_EQ(dst.Scalar("SELECT nextval('publications_id_seq')"), "3");
  // Nothing of dredge's is left behind.
  EXPECT_EQ(dst.Scalar("SELECT count(*) FROM pg_class WHERE relname LIKE 'dredge%'"), "0");
}

TEST_F(DbMultiTable, SubsetRestoreWithAndWithoutDependencies) {
  Backup();
  TestDb alone("multi_alone");
  RunResult r = Restore(dest_, alone, {"--table", "articles"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["foreign_keys_left_out"].size(), 1u) << r.out;
  EXPECT_NE(j["foreign_keys_left_out"][0].get<std::string>().find("public.publications"),
            std::string::npos);
  EXPECT_NE(r.err.find("--with-dependencies"), std::string::npos) << r.err;
  EXPECT_EQ(alone.Scalar("SELECT to_regclass('publications') IS NULL"), "t");
  EXPECT_EQ(alone.Scalar("SELECT count(*) FROM articles"), "200");

  TestDb deps("multi_deps");
  r = Restore(dest_, deps, {"--table", "articles", "--with-dependencies"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(deps.Scalar("SELECT count(*) FROM publications"), "2");
  EXPECT_EQ(deps.Scalar("SELECT to_regclass('tags') IS NULL"), "t");
  EXPECT_EQ(deps.Scalar("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND "
                        "conparentid = 0"),
            "1");

  // --into needs exactly one table.
  TestDb refused("multi_refused");
  r = Restore(dest_, refused, {"--into", "copy"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--into names one table"), std::string::npos) << r.err;
}

// A restore that fails part-way (here: the last table's target already holds rows) leaves
// nothing it made behind: one transaction.
TEST_F(DbMultiTable, AFailedRestoreLeavesNothingHalfMade) {
  Backup();
  TestDb dst("multi_fail");
  dst.Exec(
      "CREATE TABLE tags (article_id bigint, published date, tag text NOT NULL);"
      "INSERT INTO tags VALUES (1, '1920-01-01', 'in the way');");
  RunResult r = Restore(dest_, dst, {});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("tags"), std::string::npos) << r.err;
  EXPECT_EQ(dst.Scalar("SELECT to_regclass('publications') IS NULL AND to_regclass('articles') "
                       "IS NULL"),
            "t");
  EXPECT_EQ(dst.Scalar("SELECT count(*) FROM tags"), "1");
}

TEST_F(DbMultiTable, OneTableWithAPrimaryKeyIsStillWrittenAsVersion1) {
  RunResult b = RunDredge({"backup", "db", "--db", src_.conninfo(), "--table", "publications",
                           "--dest", dest_, "--json"});
  ASSERT_EQ(b.code, 0) << b.err;
  auto j = nlohmann::json::parse(b.out);
  std::string path = dest_.substr(7) + "/" + j["manifest"].get<std::string>();
  auto m = nlohmann::json::parse(ReadAll(path));
  EXPECT_EQ(m["version"], 1);
  EXPECT_EQ(m["source"]["table"], "public.publications");
  EXPECT_EQ(m["schema"]["comment"], "newspapers");
  // Growing to several tables continues the one table's chain in a version 2 manifest.
  b = BackupAll(src_, dest_);
  ASSERT_EQ(b.code, 0) << b.err;
  j = nlohmann::json::parse(b.out);
  EXPECT_EQ(j["tables"][1]["table"], "public.publications");
  EXPECT_EQ(j["tables"][1]["mode"], "incremental") << b.out;
  EXPECT_EQ(j["tables"][0]["full_reason"], "table added");
}

// A destination written by the one-table code before this change (tests/pg/fixtures/v1_articles,
// see its README) restores every point with the new code: rows and schema as they were.
TEST(DbV1Fixture, V1FixtureRestoresWithTheNewCode) {
  std::string fixture = SourceDir() + "/tests/pg/fixtures/v1_articles";
  std::string store = TempDir("v1fixture");
  std::filesystem::copy(fixture + "/database_backups", store + "/database_backups",
                        std::filesystem::copy_options::recursive);
  const std::vector<std::pair<std::string, std::string>> points = {
      {"backup_manifest_20261205_095313", "state1.copy"},
      {"backup_manifest_20261205_095321", "state2.copy"}};
  for (const auto& [id, state] : points) {
    TestDb dst("v1fixture");
    RunResult r = RunDredge(
        {"restore", "db", "--dest", "file://" + store, "--db", dst.conninfo(), "--manifest", id});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(dst.Dump("articles"), ReadAll(fixture + "/" + state)) << id;
    EXPECT_EQ(SchemaDump(dst), WithoutRestrictKeys(ReadAll(fixture + "/schema.sql"))) << id;
  }
}

}  // namespace
}  // namespace dredge::testing
