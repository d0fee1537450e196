// Config-supplied destinations for every db-tier command (issue 13): with a dredge.toml given by
// --config that names [db] conninfo, table and one [[db.destination]], and no --dest or --db on
// any command line, backup db, backup (every tier), manifests, ls --tier db, diff --tier db,
// verify db, restore db, drill, status and prune --dry-run all work on that destination and
// database, and nothing lands in the built-in default (./dredge-backups in the working
// directory).
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_sandbox.h"
#include "pg/pg_test_util.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;

class ConfigDb : public CliSandbox {
 protected:
  void SetUp() override {
    MakeSandbox("cfgdb", {"store"});
    db_.Exec(
        "CREATE TABLE t (id serial PRIMARY KEY, body text);"
        "INSERT INTO t (body) SELECT 'row ' || g FROM generate_series(1, 30) g");
    std::ofstream(dir_ + "/dredge.toml")
        << "[db]\nconninfo = \"" << db_.conninfo() << "\"\ntable = \"t\"\n\n"
        << "[[db.destination]]\nurl = \"file://" << dir_ << "/store\"\n\n"
        << "[logging]\ndir = \"" << dir_ << "/logs\"\n";
  }
  // `dredge --config DIR/dredge.toml ARGS`; PG* of the cluster are in this process's
  // environment (TestDb), so a child reaches it without --db.
  ProcessResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", dir_ + "/dredge.toml"});
    return Dredge(std::move(args));
  }
  TestDb db_{"cfgdb"};
};

TEST_F(ConfigDb, EveryDbCommandUsesTheConfiguredDestinationAndDatabase) {
  auto first = Run({"backup", "db", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_FALSE(fs::is_empty(dir_ + "/store"));
  db_.Exec("UPDATE t SET body = 'changed' WHERE id = 3; INSERT INTO t (body) VALUES ('new')");
  auto all = Run({"backup"});  // every configured tier: db only here
  ASSERT_EQ(all.exit_code, 0) << all.err;

  auto listed = Run({"manifests", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  auto manifests = nlohmann::json::parse(listed.out)["manifests"];
  ASSERT_EQ(manifests.size(), 2u) << listed.out;
  std::string older = manifests[0]["id"];

  auto ls = Run({"ls", "--tier", "db"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find("chunk"), std::string::npos) << ls.out;
  auto diff = Run({"diff", "--tier", "db", older, "latest", "--json"});
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_NE(diff.out.find("inserted"), std::string::npos) << diff.out;

  auto verify = Run({"verify", "db"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  auto restore = Run({"restore", "db", "--into", "t_restored"});
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_EQ(db_.Dump("t_restored"), db_.Dump("t"));
  auto drill = Run({"drill", "--tier", "db"});
  EXPECT_EQ(drill.exit_code, 0) << drill.out << drill.err;

  auto status = Run({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find(dir_ + "/store"), std::string::npos) << status.out;
  auto prune = Run({"prune", "--keep-last", "1", "--dry-run"});
  EXPECT_EQ(prune.exit_code, 0) << prune.err;
  EXPECT_NE((prune.out + prune.err).find("would remove 1 "), std::string::npos)
      << prune.out << prune.err;
  auto after = Run({"manifests", "--json"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(nlohmann::json::parse(after.out)["manifests"].size(), 2u) << "a dry run removed";

  // Nothing went to the built-in default destination in the working directory.
  EXPECT_TRUE(fs::is_empty(dir_ + "/cwd"));
}

}  // namespace
}  // namespace dredge::testing
