// `dredge drill` through the real binary against both servers: a drill passes on file:// and on
// s3rver for both tiers and leaves no scratch schema or directory behind; an altered data object
// or a damaged chunk fails it with exit 4 naming the file or chunk; changes at the source since
// the backup are reported, not failed; a role that may not CREATE is told to give --scratch-db,
// and passes with one; --json carries the documented fields; --dry-run prints both tiers' plans
// and leaves the store byte for byte as it was, with no scratch directory, schema or metrics file;
// a bad flag is a usage error.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/hash.h"
#include "pg/pg_test_util.h"
#include "support/process.h"
#include "support/test_env.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using json = nlohmann::json;

void Write(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

void FlipByte(const std::string& path, size_t at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good()) << path;
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x20);
  f.seekp(static_cast<std::streamoff>(at));
  f.write(&c, 1);
}

// Every file under `root` (relative name → bytes): a file:// store's whole listing and contents.
std::map<std::string, std::string> TreeOf(const std::string& root) {
  std::map<std::string, std::string> tree;
  for (auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) tree[fs::relative(e.path(), root).string()] = ReadAll(e.path());
  return tree;
}

class Drill : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/dredge-drill-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    src_ = dir_ + "/src";
    scratch_ = dir_ + "/scratch";
    fs::create_directories(scratch_);
    // 12 small files in nested folders: 12 × ~3 KiB.
    for (int i = 0; i < 12; ++i) {
      std::string body(3000 + i, static_cast<char>('a' + i));
      Write(src_ + "/" + std::to_string(1920 + i % 3) + "/per_paper_" + std::to_string(i) + ".txt",
            body);
      total_bytes_ += body.size();
    }
    env_ = {{"AWS_ACCESS_KEY_ID", "S3RVER"},       {"AWS_SECRET_ACCESS_KEY", "S3RVER"},
            {"AWS_REGION", "us-east-1"},           {"AWS_DEFAULT_REGION", "us-east-1"},
            {"AWS_EC2_METADATA_DISABLED", "true"}, {"XDG_CACHE_HOME", dir_ + "/cache"},
            {"XDG_RUNTIME_DIR", dir_ + "/run"}};
    if (GetParam() == "s3") {
      auto s3 = S3Env();
      env_["AWS_ENDPOINT_URL"] = s3["DREDGE_TEST_S3_ENDPOINT"];
      static int n = 0;
      dest_ = "s3://" + s3["DREDGE_TEST_S3_BUCKET"] + "/drill-" + std::to_string(::getpid()) + "-" +
              std::to_string(n++);
    } else {
      dest_ = "file://" + dir_ + "/store";
    }
    db_ = std::make_unique<TestDb>("drill");
    db_->Exec(
        "CREATE TABLE articles (id serial PRIMARY KEY, title text NOT NULL, content text, "
        "score float8, published timestamptz);"
        "INSERT INTO articles (title, content, score, published) "
        "SELECT 'title ' || g, repeat('x', g), g / 7.0, "
        "'1920-01-01 00:00:00+00'::timestamptz + g * interval '1 day' "
        "FROM generate_series(1, 50) g");
  }
  void TearDown() override {
    db_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  ProcessResult Dredge(std::vector<std::string> args) {
    args.insert(args.begin(), {DredgeBin(), "--log-dir", dir_ + "/logs"});
    return RunProcess(args, env_, dir_);
  }
  void BackupFiles() {
    auto r = Dredge(
        {"backup", "files", "--source", src_, "--dest", dest_, "--state", dir_ + "/state.sqlite"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  void BackupDb() {
    auto r = Dredge({"backup", "db", "--db", db_->conninfo(), "--table", "articles", "--dest",
                     dest_, "--chunk-size", "20"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  // drill --dest D --seed 42 --scratch-dir S [--sample 100 unless `extra` sets it] EXTRA...
  ProcessResult RunDrill(std::vector<std::string> extra) {
    std::vector<std::string> args = {"drill", "--dest",        dest_,   "--seed",
                                     "42",    "--scratch-dir", scratch_};
    if (std::find(extra.begin(), extra.end(), "--sample") == extra.end())
      args.insert(args.end(), {"--sample", "100"});
    args.insert(args.end(), extra.begin(), extra.end());
    return Dredge(args);
  }
  std::string DrillSchemas() {
    return db_->Scalar(
        "SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE 'dredge_drill_%'");
  }
  bool ScratchEmpty() { return fs::is_empty(scratch_); }

  std::string dir_, src_, scratch_, dest_;
  uint64_t total_bytes_ = 0;
  std::map<std::string, std::string> env_;
  std::unique_ptr<TestDb> db_;
};

TEST_P(Drill, PassesForBothTiersAndCleansUp) {
  BackupFiles();
  BackupDb();
  auto r = RunDrill({"--source", src_, "--db", db_->conninfo()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("drill with seed 42 (repeat with --seed 42)"));
  EXPECT_THAT(r.out, HasSubstr("PASS files sample [" + dest_ + "]: 12/12 files"));
  EXPECT_THAT(r.out, HasSubstr("PASS files source [" + dest_ + "]: 12/12 unchanged files equal"));
  EXPECT_THAT(r.out, HasSubstr("PASS db restore [" + dest_ + "]: 50 rows"));
  EXPECT_THAT(r.out, HasSubstr("PASS db source [" + dest_ + "]: 50/50 sampled rows equal"));
  EXPECT_THAT(r.out, HasSubstr("drill PASSED (seed 42)"));
  EXPECT_EQ(DrillSchemas(), "0");
  EXPECT_TRUE(ScratchEmpty());
}

INSTANTIATE_TEST_SUITE_P(Stores, Drill, ::testing::Values("file", "s3"));

class DrillFile : public Drill {};
INSTANTIATE_TEST_SUITE_P(File, DrillFile, ::testing::Values("file"));

TEST_P(DrillFile, JsonCarriesTheDocumentedFields) {
  BackupFiles();
  BackupDb();
  const std::string metrics = dir_ + "/dredge.prom";
  auto r =
      RunDrill({"--source", src_, "--db", db_->conninfo(), "--json", "--metrics-file", metrics});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string prom = ReadAll(metrics);
  EXPECT_THAT(prom, HasSubstr("dredge_last_run_success{tier=\"drill-files\",destination=\"" +
                              dest_ + "\"} 1"));
  EXPECT_THAT(prom, HasSubstr("dredge_last_run_success{tier=\"drill-db\",destination=\"" + dest_ +
                              "\"} 1"));
  json j = json::parse(r.out);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_EQ(j["seed"], 42);
  EXPECT_EQ(j["files"]["sampled"], 12);
  EXPECT_EQ(j["files"]["matched"], 12);
  EXPECT_EQ(j["files"]["bytes"], total_bytes_);
  EXPECT_EQ(j["files"]["source_equal"], 12);
  EXPECT_TRUE(j["files"]["mismatched"].empty());
  EXPECT_EQ(j["files"]["scratch_removed"], true);
  EXPECT_EQ(j["db"]["rows"], 50);
  EXPECT_EQ(j["db"]["live_keys"], 50);
  EXPECT_EQ(j["db"]["compared"], 50);
  EXPECT_EQ(j["db"]["equal"], 50);
  // Rows older than the backup's horizon: all 50 unless another test's transaction was open in
  // the cluster during the backup (the horizon is cluster-wide), which can only lower it.
  EXPECT_LE(j["db"]["source_sampled"].get<int>(), 50);
  EXPECT_TRUE(j["db"]["mismatched"].empty());
  EXPECT_EQ(j["db"]["scratch_removed"], true);
  ASSERT_EQ(j["runs"].size(), 2u);
}

TEST_P(DrillFile, ASmallerSampleIsReproducibleFromItsSeed) {
  BackupFiles();
  auto a = RunDrill({"--tier", "files", "--sample", "4", "--json"});
  auto b = RunDrill({"--tier", "files", "--sample", "4", "--json"});
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  json ja = json::parse(a.out), jb = json::parse(b.out);
  EXPECT_EQ(ja["files"]["sampled"], 4);
  EXPECT_EQ(ja["files"]["bytes"], jb["files"]["bytes"]);
  EXPECT_EQ(ja["files"]["checks"], jb["files"]["checks"]);
}

TEST_P(DrillFile, AnAlteredDataObjectFailsWithExit4NamingTheFile) {
  BackupFiles();
  const std::string victim = "1921/per_paper_4.txt";
  FlipByte(dir_ + "/store/" + victim, 10);
  auto r = RunDrill({"--tier", "files", "--source", src_});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("FAIL files sample [" + dest_ + "]: 11/12 files"));
  EXPECT_THAT(r.out, HasSubstr(victim + ": the store no longer holds the content"));
  EXPECT_THAT(r.out, HasSubstr("drill FAILED (seed 42, exit 4)"));
  EXPECT_TRUE(ScratchEmpty());
}

TEST_P(DrillFile, ADamagedChunkFailsWithExit4NamingTheChunk) {
  BackupDb();
  std::string chunk;
  for (auto& e : fs::directory_iterator(dir_ + "/store/database_backups/chunks"))
    if (chunk.empty() || e.path().string() < chunk) chunk = e.path().string();
  ASSERT_FALSE(chunk.empty());
  FlipByte(chunk, 40);
  auto r = RunDrill({"--tier", "db", "--db", db_->conninfo()});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("FAIL db restore [" + dest_ + "]"));
  EXPECT_THAT(r.out, HasSubstr(fs::path(chunk).filename().string()));
  EXPECT_THAT(r.out, HasSubstr("drill FAILED"));
  EXPECT_EQ(DrillSchemas(), "0");
}

// The newest manifest under the file:// store, parsed.
std::string NewestManifestPath(const std::string& store) {
  std::string newest;
  for (auto& e : fs::directory_iterator(store + "/database_backups/manifests"))
    if (e.path().string() > newest) newest = e.path().string();
  return newest;
}

TEST_P(DrillFile, ABackupThatLostARowFailsNamingItsKey) {
  BackupDb();
  // The horizon is cluster-wide: a transaction another test holds open can keep it below row 9's
  // xmin, and then row 9 is "changed since", not "older than", the backup. Back up again until
  // the newest manifest's horizon is past it.
  const int64_t xmin = std::stoll(db_->Scalar("SELECT xmin::text FROM articles WHERE id = 9"));
  for (int i = 0; i < 40; ++i) {
    json m = json::parse(ReadAll(NewestManifestPath(dir_ + "/store")));
    if (std::stoll(m["snapshot"]["horizon"].get<std::string>()) > xmin) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    BackupDb();
  }
  // Make the backup forget key 9, as a backup that missed a row would.
  const std::string path = NewestManifestPath(dir_ + "/store");
  json m = json::parse(ReadAll(path));
  ASSERT_EQ(m["live_keys"]["ranges"], json::parse("[[1, 50]]"));
  m["live_keys"]["ranges"] = json::parse("[[1, 8], [10, 50]]");
  m["live_keys"]["count"] = 49;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << m.dump();

  auto r = RunDrill({"--tier", "db", "--db", db_->conninfo()});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("PASS db restore [" + dest_ + "]: 49 rows"));
  EXPECT_THAT(r.out, HasSubstr("FAIL db source [" + dest_ + "]"));
  EXPECT_THAT(r.out, HasSubstr("key 9: the live row predates the backup but the restored copy "
                               "lacks it"));
  EXPECT_EQ(DrillSchemas(), "0");
}

TEST_P(DrillFile, ChangesAtTheSourceSinceTheBackupAreReportedNotFailed) {
  BackupFiles();
  BackupDb();
  Write(src_ + "/1920/per_paper_0.txt", "rewritten after the backup");
  db_->Exec(
      "UPDATE articles SET title = 'edited' WHERE id = 7; DELETE FROM articles WHERE id = 9; "
      "INSERT INTO articles (title) VALUES ('new')");
  auto r = RunDrill({"--source", src_, "--db", db_->conninfo(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json j = json::parse(r.out);
  ASSERT_EQ(j["files"]["changed"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["files"]["changed"][0]["path"], "1920/per_paper_0.txt");
  EXPECT_EQ(j["files"]["source_equal"], 11);
  EXPECT_EQ(j["db"]["equal"], 48);
  ASSERT_EQ(j["db"]["changed"].size(), 2u) << j.dump(2);
  EXPECT_EQ(j["db"]["changed"][0]["key"], "7");
  EXPECT_EQ(j["db"]["changed"][1]["key"], "9");
}

TEST_P(DrillFile, KeepLeavesTheScratchCopiesForInspection) {
  BackupFiles();
  BackupDb();
  auto r = RunDrill({"--source", src_, "--db", db_->conninfo(), "--keep", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json j = json::parse(r.out);
  std::string dir = j["files"]["scratch_dir"];
  EXPECT_TRUE(fs::exists(dir + "/1922/per_paper_2.txt"));
  EXPECT_EQ(DrillSchemas(), "1");
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM " + j["db"]["scratch_table"].get<std::string>()),
            "50");
}

TEST_P(DrillFile, ARoleThatCannotCreateIsToldToGiveScratchDb) {
  BackupDb();
  auto admin = TestDb::Connect("postgres");
  ASSERT_TRUE(admin
                  ->Exec("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                         "'drill_reader') THEN CREATE ROLE drill_reader LOGIN; END IF; END $$")
                  .ok());
  db_->Exec("GRANT SELECT ON articles TO drill_reader; REVOKE CREATE ON DATABASE " + db_->name() +
            " FROM PUBLIC");
  const std::string as_reader = db_->conninfo() + " user=drill_reader";
  auto r = RunDrill({"--tier", "db", "--db", as_reader});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("cannot CREATE in database " + db_->name()));
  EXPECT_THAT(r.out, HasSubstr("--scratch-db"));
  EXPECT_EQ(DrillSchemas(), "0");

  TestDb scratch("drillscratch");
  scratch.Exec("GRANT CREATE ON DATABASE " + scratch.name() + " TO drill_reader");
  auto ok = RunDrill({"--tier", "db", "--db", as_reader, "--scratch-db",
                      scratch.conninfo() + " user=drill_reader"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("PASS db source"));
  EXPECT_EQ(scratch.Scalar("SELECT count(*) FROM information_schema.schemata WHERE schema_name "
                           "LIKE 'dredge_drill_%'"),
            "0");
}

TEST_P(DrillFile, WithAConfigItDrillsEveryTierAndDestinationAndNamesTheBadOne) {
  const std::string a = dir_ + "/store-a", b = dir_ + "/store-b", d = dir_ + "/store-db";
  Write(dir_ + "/dredge.toml",
        "[files]\nsource = \"" + src_ + "\"\n[[files.destination]]\nurl = \"file://" + a +
            "\"\n[[files.destination]]\nurl = \"file://" + b + "\"\n[db]\nconninfo = \"" +
            db_->conninfo() + "\"\ntable = \"articles\"\n[[db.destination]]\nurl = \"file://" + d +
            "\"\n");
  auto backup = Dredge({"backup"});
  ASSERT_EQ(backup.exit_code, 0) << backup.out << backup.err;
  auto r = Dredge({"drill", "--seed", "3", "--scratch-dir", scratch_, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json j = json::parse(r.out);
  ASSERT_EQ(j["runs"].size(), 3u);
  EXPECT_EQ(j["runs"][0]["destination"], "file://" + a);
  EXPECT_EQ(j["runs"][1]["destination"], "file://" + b);
  EXPECT_EQ(j["runs"][2]["tier"], "db");
  EXPECT_EQ(j["files"]["sampled"], 12);  // the default sample is 20 files: all 12 here

  FlipByte(b + "/1920/per_paper_3.txt", 0);
  auto bad = Dredge({"drill", "--seed", "3", "--scratch-dir", scratch_});
  EXPECT_EQ(bad.exit_code, 4) << bad.out << bad.err;
  EXPECT_THAT(bad.out, HasSubstr("PASS files sample [file://" + a + "]"));
  EXPECT_THAT(bad.out, HasSubstr("FAIL files sample [file://" + b + "]"));
  EXPECT_THAT(bad.out, HasSubstr("1920/per_paper_3.txt: the store no longer holds"));
  EXPECT_THAT(bad.out, HasSubstr("PASS db source [file://" + d + "]"));
  EXPECT_TRUE(ScratchEmpty());
}

TEST_P(DrillFile, EncryptedChunksNeedTheKeyFile) {
  const std::string key = dir_ + "/key.hex";
  std::ofstream(key) << std::string(64, 'b') << "\n";
  auto b = Dredge({"backup", "db", "--db", db_->conninfo(), "--table", "articles", "--dest", dest_,
                   "--encrypt-key-file", key});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  auto ok = RunDrill({"--tier", "db", "--db", db_->conninfo(), "--encrypt-key-file", key});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("PASS db source [" + dest_ + "]: 50/50 sampled rows equal"));
  auto without = RunDrill({"--tier", "db", "--db", db_->conninfo()});
  EXPECT_NE(without.exit_code, 0) << without.out << without.err;
  EXPECT_THAT(without.out, HasSubstr("FAIL db restore [" + dest_ + "]"));
  EXPECT_EQ(DrillSchemas(), "0");
}

TEST_P(DrillFile, ADryRunPrintsThePlansAndChangesNothing) {
  BackupFiles();
  BackupDb();
  const auto before = TreeOf(dir_ + "/store");
  const std::string metrics = dir_ + "/dredge.prom";
  auto r =
      RunDrill({"--source", src_, "--db", db_->conninfo(), "--dry-run", "--metrics-file", metrics});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("PLAN files [" + dest_ + "]: snapshot snapshot_"));
  EXPECT_THAT(r.out, HasSubstr("would restore 12 files, " + std::to_string(total_bytes_ / 1024)));
  EXPECT_THAT(r.out, HasSubstr("seed 42"));
  EXPECT_THAT(r.out, HasSubstr("would restore 1920/per_paper_0.txt (2.9 KiB, md5 " +
                               Md5Hex(std::string(3000, 'a')) + ")"));
  EXPECT_THAT(r.out, HasSubstr("PLAN db [" + dest_ + "]: manifest database_backups/"));
  EXPECT_THAT(r.out, HasSubstr("would restore public.articles (50 rows) into dredge_drill_"));
  EXPECT_THAT(r.out, HasSubstr("drill dry run: nothing restored (seed 42)"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("PASS")));
  EXPECT_EQ(TreeOf(dir_ + "/store"), before);
  EXPECT_TRUE(ScratchEmpty());
  EXPECT_EQ(DrillSchemas(), "0");
  EXPECT_FALSE(fs::exists(metrics));

  auto js = RunDrill({"--source", src_, "--db", db_->conninfo(), "--dry-run", "--json"});
  ASSERT_EQ(js.exit_code, 0) << js.out << js.err;
  json j = json::parse(js.out);
  EXPECT_EQ(j["dry_run"], true);
  EXPECT_EQ(j["files"]["sampled"], 12);
  EXPECT_EQ(j["files"]["bytes"], total_bytes_);
  ASSERT_EQ(j["files"]["sample"].size(), 12u);
  EXPECT_EQ(j["files"]["sample"][0]["path"], "1920/per_paper_0.txt");
  EXPECT_EQ(j["files"]["sample"][0]["md5"], Md5Hex(std::string(3000, 'a')));
  EXPECT_FALSE(j["files"]["source"].get<std::string>().empty());
  EXPECT_EQ(j["db"]["rows"], 50);
  EXPECT_EQ(j["db"]["tables"][0]["table"], "public.articles");
  EXPECT_THAT(j["db"]["scratch_schema"].get<std::string>(), ::testing::StartsWith("dredge_drill_"));
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][1]["dry_run"], true);
  EXPECT_EQ(TreeOf(dir_ + "/store"), before);
  EXPECT_TRUE(ScratchEmpty());
  EXPECT_EQ(DrillSchemas(), "0");

  auto none =
      Dredge({"drill", "--dest", "file://" + dir_ + "/empty", "--source", src_, "--dry-run"});
  EXPECT_EQ(none.exit_code, 1) << none.out << none.err;
  EXPECT_THAT(none.out, HasSubstr("FAIL files plan [file://" + dir_ + "/empty]"));
}

TEST_P(DrillFile, BadFlagsAreUsageErrors) {
  EXPECT_EQ(Dredge({"drill", "--sample", "many"}).exit_code, 2);
  EXPECT_EQ(Dredge({"drill", "--tier", "everything"}).exit_code, 2);
  EXPECT_EQ(
      Dredge({"drill", "--sample-bytes", "lots", "--dest", dest_, "--source", src_}).exit_code, 2);
  auto none = Dredge({"drill", "--dest", dest_});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("nothing to drill"));
}

}  // namespace
}  // namespace dredge::testing
