// The command line as a new operator meets it (issue 13): unknown commands and flags get the
// closest known one and their own command's help pointer, on one line; a command that fails its
// usage checks creates nothing (rc 2, nothing new in the working directory, the destination or
// the log directory); run logs go to a place that does not depend on the working directory;
// errors are printed once with counts in the right plural; a dry run says what it would do;
// `status` lists only configured tiers.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/file_tree.h"
#include "support/process.h"
#include "support/test_env.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;

size_t Lines(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

size_t Occurrences(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

TEST(CliSuggest, UnknownCommandNamesTheClosestOne) {
  auto r = RunProcess({DredgeBin(), "backups"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("unknown command 'backups'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'backup'?"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'dredge --help'"), std::string::npos) << r.err;
}

TEST(CliSuggest, UnknownSubcommandPointsAtItsParentsHelp) {
  auto r = RunProcess({DredgeBin(), "restore", "fils", "--target", "/tmp/x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("did you mean 'files'?"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'dredge restore --help'"), std::string::npos) << r.err;
}

TEST(CliSuggest, UnknownFlagNamesTheClosestFlagOfThatCommand) {
  auto r = RunProcess({DredgeBin(), "backup", "files", "--wokers", "4"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("unknown flag '--wokers'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean '--workers'?"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'dredge backup files --help'"), std::string::npos) << r.err;
}

TEST(CliSuggest, NothingCloseMeansNoGuess) {
  auto r = RunProcess({DredgeBin(), "snapshots", "--zzzzzzzz"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("did you mean"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'dredge snapshots --help'"), std::string::npos) << r.err;
}

TEST(CliSuggest, OtherUsageErrorsPointAtTheSubcommandsHelp) {
  auto r = RunProcess({DredgeBin(), "restore", "files"});  // --target is required
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--target"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'dredge restore files --help'"), std::string::npos) << r.err;
}

// A scratch directory with an empty working directory, home and state directory.
class Sandbox : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/dredge-usage-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    for (const char* d : {"cwd", "home", "src"}) fs::create_directories(dir_ + "/" + d);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  ProcessResult Run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), DredgeBin());
    env.emplace("HOME", dir_ + "/home");
    env.emplace("XDG_STATE_HOME", "");
    env.emplace("XDG_CACHE_HOME", "");
    env.emplace("DREDGE_CONFIG", "");
    return RunProcess(args, env, dir_ + "/cwd");
  }
  bool Empty(const std::string& rel) { return fs::is_empty(dir_ + "/" + rel); }
  std::string dir_;
};

TEST_F(Sandbox, BackupWithoutSourceCreatesNothing) {
  auto r = Run({"backup", "files", "--dest", "file://" + dir_ + "/store"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
  EXPECT_TRUE(Empty("cwd"));
  EXPECT_TRUE(Empty("home")) << "a log or state file was created";
  EXPECT_FALSE(fs::exists(dir_ + "/store"));
}

TEST_F(Sandbox, WrongSourceTouchesNoDestination) {
  auto r = Run({"backup", "files", "--source", dir_ + "/no-such-dir", "--dest",
                "file://" + dir_ + "/store"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no-such-dir"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ + "/store")) << "the destination was created";
  EXPECT_TRUE(Empty("cwd"));
  EXPECT_TRUE(Empty("home"));
}

TEST_F(Sandbox, BadWorkersOnRestoreCreatesNothing) {
  auto r = Run({"restore", "files", "--workers", "0", "--target", dir_ + "/t", "--dest",
                "file://" + dir_ + "/store"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(Empty("cwd"));
  EXPECT_TRUE(Empty("home"));
  EXPECT_FALSE(fs::exists(dir_ + "/t"));
}

TEST_F(Sandbox, RunLogsGoToTheStateDirectoryNotTheWorkingDirectory) {
  Spit(dir_ + "/src/a.txt", "a");
  auto r =
      Run({"backup", "files", "--source", dir_ + "/src", "--dest", "file://" + dir_ + "/store"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Empty("cwd"));
  const std::string logs = dir_ + "/home/.local/state/dredge/logs";
  ASSERT_TRUE(fs::is_directory(logs)) << r.err;
  EXPECT_FALSE(Empty("home/.local/state/dredge/logs"));
  // XDG_STATE_HOME wins over HOME.
  r = Run({"backup", "files", "--source", dir_ + "/src", "--dest", "file://" + dir_ + "/store"},
          {{"XDG_STATE_HOME", dir_ + "/xdg"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_directory(dir_ + "/xdg/dredge/logs"));
}

TEST_F(Sandbox, RelativeLogDirInTheConfigIsRelativeToTheConfigFile) {
  Spit(dir_ + "/src/a.txt", "a");
  fs::create_directories(dir_ + "/etc");
  Spit(dir_ + "/etc/dredge.toml", "[files]\nsource = \"" + dir_ + "/src\"\n" +
                                      "[[files.destination]]\nurl = \"file://" + dir_ +
                                      "/store\"\n[logging]\ndir = \"runlogs\"\n");
  auto r = Run({"--config", dir_ + "/etc/dredge.toml", "backup", "files"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_directory(dir_ + "/etc/runlogs"));
  EXPECT_TRUE(Empty("cwd"));
}

TEST_F(Sandbox, AFailedRestoreSaysSoOnceWithTheRightPlural) {
  Spit(dir_ + "/src/a.txt", "from the backup");
  Spit(dir_ + "/src/b.txt", "b");
  const std::string dest = "file://" + dir_ + "/store";
  ASSERT_EQ(Run({"backup", "files", "--source", dir_ + "/src", "--dest", dest}).exit_code, 0);
  Spit(dir_ + "/t/a.txt", "local edit");
  auto r = Run({"restore", "files", "--target", dir_ + "/t", "--dest", dest});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(Occurrences(r.err, "not restored"), 1u) << r.err;
  EXPECT_NE(r.err.find("1 file was not restored"), std::string::npos) << r.err;
}

TEST_F(Sandbox, DryRunSaysWhatItWouldUploadAndWithVerboseWhich) {
  Spit(dir_ + "/src/a.txt", "a");
  Spit(dir_ + "/src/b.txt", "b");
  const std::string dest = "file://" + dir_ + "/store";
  auto r = Run({"backup", "files", "--dry-run", "-v", "--source", dir_ + "/src", "--dest", dest});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("would upload 2 files"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("would upload: a.txt"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("would upload: b.txt"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ + "/store/a.txt"));
  EXPECT_FALSE(fs::exists(dir_ + "/store/.dredge/snapshots"));
  // After a real backup, a copy of a stored file would be copied, not uploaded, and an
  // untouched file is no work at all.
  ASSERT_EQ(Run({"backup", "files", "--source", dir_ + "/src", "--dest", dest}).exit_code, 0);
  r = Run({"backup", "files", "--dry-run", "--source", dir_ + "/src", "--dest", dest});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("would upload 0 files"), std::string::npos) << r.err;
}

TEST_F(Sandbox, StatusListsOnlyTheConfiguredTiers) {
  Spit(dir_ + "/src/a.txt", "a");
  Spit(dir_ + "/dredge.toml", "[files]\nsource = \"" + dir_ + "/src\"\n" +
                                  "[[files.destination]]\nurl = \"file://" + dir_ + "/store\"\n");
  const std::string cfg = dir_ + "/dredge.toml";
  ASSERT_EQ(Run({"--config", cfg, "backup", "files"}).exit_code, 0);
  auto r = Run({"--config", cfg, "status", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  ASSERT_EQ(j["destinations"].size(), 1u);
  ASSERT_EQ(j["destinations"][0]["tiers"].size(), 1u) << r.out;
  EXPECT_EQ(j["destinations"][0]["tiers"][0]["tier"], "files");
}

}  // namespace
}  // namespace dredge::testing
