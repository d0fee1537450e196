// `backup db --dry-run` through the real binary (engine/db/backup_plan.h, docs/db-tier.md): it
// prints the plan (each table's mode and why, what is not backed up, the first chunk number,
// the connections, the manifest it would write) and leaves the destination byte for byte as it
// was (an empty one empty, no lock file either); the next real run does what the plan said,
// table by table; and `backup --dry-run` plans the db tier too instead of skipping it.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_sandbox.h"
#include "formats/db_keys.h"
#include "pg/pg_test_util.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;

// Every file (with its bytes) and folder (with "/") under `root`; empty when it does not exist.
std::map<std::string, std::string> TreeOf(const std::string& root) {
  std::map<std::string, std::string> t;
  if (!fs::exists(root)) return t;
  for (auto& e : fs::recursive_directory_iterator(root)) {
    std::string rel = fs::relative(e.path(), root).string();
    t[e.is_directory() ? rel + "/" : rel] = e.is_regular_file() ? ReadAll(e.path()) : "";
  }
  return t;
}

// The chunk numbers of the chunk files under `root`.
std::vector<uint64_t> ChunkNumbers(const std::map<std::string, std::string>& tree) {
  std::vector<uint64_t> out;
  for (const auto& [path, bytes] : tree)
    if (auto c = dbkeys::ParseChunkKey(path)) out.push_back(c->number);
  return out;
}

class DbDryRun : public CliSandbox {
 protected:
  void SetUp() override {
    MakeSandbox("dbdry", {"store"});
    store_ = dir_ + "/store";
    db_.Exec(
        "CREATE TABLE articles (id serial PRIMARY KEY, body text);"
        "INSERT INTO articles (body) SELECT 'row ' || g FROM generate_series(1, 40) g;"
        "CREATE TABLE log (line text);"
        "INSERT INTO log SELECT 'line ' || g FROM generate_series(1, 5) g;"
        "CREATE TABLE tags (id int PRIMARY KEY, tag text);"
        "INSERT INTO tags SELECT g, 'tag' || g FROM generate_series(1, 3) g;"
        "CREATE VIEW recent AS SELECT id FROM articles WHERE id > 30");
  }
  ProcessResult Backup(std::vector<std::string> tables, std::vector<std::string> extra) {
    std::vector<std::string> a = {
        "backup", "db", "--db", db_.conninfo(), "--dest", "file://" + store_, "--chunk-size", "10"};
    for (const auto& t : tables) a.insert(a.end(), {"--table", t});
    a.insert(a.end(), extra.begin(), extra.end());
    return Dredge(a);
  }
  static nlohmann::json Json(const ProcessResult& r) {
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.out << r.err;
    return j.is_object() ? j : nlohmann::json::object();
  }
  std::string store_;
  TestDb db_{"dbdry"};
};

TEST_F(DbDryRun, AnEmptyDestinationStaysEmptyAndThePlanIsPrinted) {
  auto text = Backup({"articles", "log", "recent"}, {"--dry-run"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const char* want :
       {"dry run, nothing is written", "full run of 2 tables", "previous manifest: none",
        "chunks numbered from 1: database_backups/chunks/chunk_000001_",
        "database_backups/manifests/backup_manifest_", "public.articles", "read whole: first run",
        "public.log", "read whole: no key", "not backed up: public.recent (view)"})
    EXPECT_NE(text.out.find(want), std::string::npos) << want << "\n" << text.out;
  EXPECT_TRUE(fs::is_empty(store_));

  auto json = Backup({"articles", "log", "recent"}, {"--dry-run", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto j = Json(json);
  EXPECT_EQ(j["dry_run"], true);
  EXPECT_EQ(j["ok"], true);
  const auto& plan = j["plan"];
  ASSERT_EQ(plan["tables"].size(), 2u) << j.dump();
  EXPECT_EQ(plan["tables"][0]["table"], "public.articles");
  EXPECT_EQ(plan["tables"][0]["mode"], "full");
  EXPECT_EQ(plan["tables"][0]["full_reason"], "first run");
  EXPECT_EQ(plan["tables"][0]["key"], "primary key");
  EXPECT_EQ(plan["tables"][1]["full_reason"], "no key");
  EXPECT_EQ(plan["first_chunk_number"], 1);
  EXPECT_EQ(plan["manifest_version"], 2);
  EXPECT_TRUE(plan["previous"].is_null());
  ASSERT_EQ(plan["not_backed_up"].size(), 1u);
  EXPECT_EQ(plan["not_backed_up"][0]["name"], "public.recent");
  EXPECT_TRUE(fs::is_empty(store_));
  // No lock or lease was taken: the lock folder was never made.
  EXPECT_FALSE(fs::exists(dir_ + "/home/.cache/dredge/locks"));

  // A destination that does not exist is not created.
  auto missing = Dredge({"backup", "db", "--db", db_.conninfo(), "--dest",
                         "file://" + dir_ + "/nowhere", "--table", "articles", "--dry-run"});
  ASSERT_EQ(missing.exit_code, 0) << missing.err;
  EXPECT_FALSE(fs::exists(dir_ + "/nowhere"));
}

TEST_F(DbDryRun, ADryRunAfterABackupAddsNothingAndTheNextRunFollowsThePlan) {
  auto first = Backup({"articles", "log"}, {"--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::string first_manifest = Json(first)["manifest"];
  db_.Exec(
      "INSERT INTO articles (body) VALUES ('new'); UPDATE articles SET body = 'x' WHERE id = 2");
  const auto before = TreeOf(store_);
  const auto before_chunks = ChunkNumbers(before);
  ASSERT_FALSE(before_chunks.empty());

  auto dry = Backup({"articles", "log", "tags"}, {"--dry-run", "--json", "--workers", "4"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  auto plan = Json(dry)["plan"];
  auto text = Backup({"articles", "log", "tags"}, {"--dry-run"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(TreeOf(store_), before) << "a dry run changed the destination";

  ASSERT_EQ(plan["tables"].size(), 3u) << plan.dump();
  EXPECT_EQ(plan["mode"], "incremental");
  EXPECT_EQ(plan["previous"], first_manifest);
  EXPECT_EQ(plan["first_chunk_number"],
            *std::max_element(before_chunks.begin(), before_chunks.end()) + 1);
  EXPECT_EQ(plan["connections"], 2);  // 3 tables, 4 workers: two connections of two
  EXPECT_EQ(plan["encode_workers"], 2);
  EXPECT_EQ(plan["tables"][0]["mode"], "incremental");
  EXPECT_TRUE(plan["tables"][0]["after"].is_string());
  EXPECT_EQ(plan["tables"][1]["full_reason"], "no key");
  EXPECT_EQ(plan["tables"][2]["full_reason"], "table added");
  EXPECT_NE(
      text.out.find("rows changed since xid " + plan["tables"][0]["after"].get<std::string>()),
      std::string::npos)
      << text.out;

  auto real = Backup({"articles", "log", "tags"}, {"--json", "--workers", "4"});
  ASSERT_EQ(real.exit_code, 0) << real.err;
  auto r = Json(real);
  ASSERT_EQ(r["tables"].size(), plan["tables"].size()) << r.dump();
  for (size_t i = 0; i < plan["tables"].size(); ++i) {
    EXPECT_EQ(r["tables"][i]["table"], plan["tables"][i]["table"]);
    EXPECT_EQ(r["tables"][i]["mode"], plan["tables"][i]["mode"]);
    EXPECT_EQ(r["tables"][i]["full_reason"], plan["tables"][i]["full_reason"]);
  }
  // Its chunks start at the planned number, and its manifest name is not before the planned one.
  std::vector<uint64_t> added;
  for (uint64_t n : ChunkNumbers(TreeOf(store_)))
    if (std::find(before_chunks.begin(), before_chunks.end(), n) == before_chunks.end())
      added.push_back(n);
  ASSERT_FALSE(added.empty());
  EXPECT_EQ(*std::min_element(added.begin(), added.end()), plan["first_chunk_number"]);
  EXPECT_GE(r["manifest"].get<std::string>(), plan["manifest_key"].get<std::string>());
}

TEST_F(DbDryRun, BackupOfEveryTierPlansTheDbTier) {
  std::ofstream(dir_ + "/dredge.toml")
      << "[db]\nconninfo = \"" << db_.conninfo() << "\"\ntable = \"articles\"\n\n"
      << "[[db.destination]]\nurl = \"file://" << store_ << "\"\n\n"
      << "[logging]\ndir = \"" << dir_ << "/logs\"\n";
  auto r = Dredge({"--config", dir_ + "/dredge.toml", "backup", "--dry-run", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = Json(r);
  ASSERT_EQ(j["runs"].size(), 1u) << r.out;
  const auto& run = j["runs"][0];
  EXPECT_EQ(run["tier"], "db");
  EXPECT_EQ(run["dry_run"], true);
  ASSERT_EQ(run["plan"]["tables"].size(), 1u) << r.out;
  EXPECT_EQ(run["plan"]["tables"][0]["full_reason"], "first run");
  EXPECT_EQ(run["plan"]["manifest_version"], 1);
  EXPECT_TRUE(fs::is_empty(store_));
}

// `restore db --dry-run` prints what the restore plan would load and touches neither the
// destination (no lease) nor the database (the target table is not created).
TEST_F(DbDryRun, RestoreDryRunSaysWhatItWouldLoadAndCreatesNothing) {
  ASSERT_EQ(Backup({"articles"}, {}).exit_code, 0);
  const auto before = TreeOf(store_);
  auto r = Dredge({"restore", "db", "--db", db_.conninfo(), "--dest", "file://" + store_, "--into",
                   "restored", "--dry-run", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = Json(r);
  EXPECT_EQ(j.value("dry_run", false), true);
  EXPECT_EQ(j.value("rows", 0), 40);
  EXPECT_EQ(j.value("chunks_read", 0), 4);
  EXPECT_EQ(j.value("table", ""), "restored");
  auto text = Dredge({"restore", "db", "--db", db_.conninfo(), "--dest", "file://" + store_,
                      "--into", "restored", "--dry-run"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.err.find("dry run: would load up to 40 rows into restored"), std::string::npos)
      << text.err;
  EXPECT_EQ(db_.Scalar("SELECT count(*) FROM pg_class WHERE relname = 'restored'"), "0");
  EXPECT_EQ(TreeOf(store_), before) << "a dry run takes no lease";
}

}  // namespace
}  // namespace dredge::testing
