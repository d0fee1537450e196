// Every command that needs a destination takes it from dredge.toml when --dest is absent
// (issue 13): with a config naming one [[files.destination]] and no --dest anywhere, each files
// command works on that destination, and nothing lands in the built-in default
// (./dredge-backups in the working directory); `check` probes only the configured tiers.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_sandbox.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;

class ConfigDest : public CliSandbox {
 protected:
  void SetUp() override {
    MakeSandbox("cfgdest", {"src/sub", "store"});
    std::ofstream(dir_ + "/src/a.txt") << "alpha";
    std::ofstream(dir_ + "/src/sub/b.txt") << "bravo";
    std::ofstream(dir_ + "/dredge.toml")
        << "[files]\nsource = \"" << dir_ << "/src\"\n\n[[files.destination]]\nurl = \"file://"
        << dir_ << "/store\"\n\n[logging]\ndir = \"" << dir_ << "/logs\"\n";
  }
  ProcessResult Run(std::vector<std::string> args) {
    return Dredge(std::move(args), dir_ + "/dredge.toml");
  }
};

TEST_F(ConfigDest, EveryFilesCommandUsesTheConfiguredDestination) {
  auto first = Run({"backup", "files"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_FALSE(fs::is_empty(dir_ + "/store"));
  std::ofstream(dir_ + "/src/c.txt") << "charlie";
  auto all = Run({"backup"});  // every configured tier: files only here
  ASSERT_EQ(all.exit_code, 0) << all.err;

  auto listed = Run({"snapshots", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  auto snaps = nlohmann::json::parse(listed.out)["snapshots"];
  ASSERT_EQ(snaps.size(), 2u) << listed.out;
  std::string older = snaps[0]["id"];

  auto ls = Run({"ls"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find("c.txt"), std::string::npos) << ls.out;
  auto diff = Run({"diff", older, "latest"});
  EXPECT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_NE(diff.out.find("c.txt"), std::string::npos) << diff.out;
  auto verify = Run({"verify", "files"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  auto restore = Run({"restore", "files", "--target", dir_ + "/restored"});
  EXPECT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_TRUE(fs::exists(dir_ + "/restored/sub/b.txt"));

  auto status = Run({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find(dir_ + "/store"), std::string::npos) << status.out;
  auto check = Run({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE((check.out + check.err).find(dir_ + "/store"), std::string::npos) << check.out;
  // Only the configured tiers: no [db] here, so no database probe.
  EXPECT_EQ(check.out.find("database"), std::string::npos) << check.out;
  auto drill = Run({"drill", "--tier", "files"});
  EXPECT_EQ(drill.exit_code, 0) << drill.out << drill.err;
  auto prune = Run({"prune", "--keep-last", "1"});
  EXPECT_EQ(prune.exit_code, 0) << prune.err;
  auto after = Run({"snapshots", "--json"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(nlohmann::json::parse(after.out)["snapshots"].size(), 1u) << after.out;

  // Nothing went to the built-in default destination in the working directory.
  EXPECT_TRUE(fs::is_empty(dir_ + "/cwd"));
}

// An s3:// flag given for a run whose destination is a directory changes nothing there, and
// says so (it may be meant for another destination of the run).
TEST_F(ConfigDest, AnS3FlagOnADirectoryDestinationIsSaidToBeIgnored) {
  auto r = Run({"backup", "files", "--region", "eu-west-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("--region does not apply to file://" + dir_ +
                       "/store (it is an option of s3:// destinations); ignored there"),
            std::string::npos)
      << r.err;
  auto plain = Run({"backup", "files"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.err.find("does not apply"), std::string::npos) << plain.err;
}

}  // namespace
}  // namespace dredge::testing
