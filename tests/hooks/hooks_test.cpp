// [hooks] (docs/operations.md, src/ops/hooks.h) through the real binary: each hook runs once per
// tier and destination with the documented environment and its output in the run log; a
// failing or hanging hook is reported and changes neither the exit code nor the run record.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/file_tree.h"
#include "support/process.h"
#include "support/test_env.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// KEY=VALUE lines of a file the hook wrote with `env`.
std::map<std::string, std::string> EnvFile(const std::string& path) {
  std::map<std::string, std::string> out;
  std::istringstream in(Slurp(path));
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

class Hooks : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/dredge-hooks-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    for (int i = 0; i < 5; ++i)
      Spit(dir_ + "/src/page_" + std::to_string(i) + ".txt", std::string(1000 + i, 'x'));
    dest_ = "file://" + dir_ + "/store";
    env_ = {{"HOME", dir_ + "/home"},
            {"XDG_CACHE_HOME", dir_ + "/cache"},
            {"XDG_CONFIG_HOME", dir_ + "/config"}};
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // dredge.toml with the files tier to `dest` and `hooks` as the [hooks] table's body.
  void Config(const std::string& hooks, const std::string& dest = "") {
    Spit(dir_ + "/dredge.toml", "[files]\nsource = \"" + dir_ + "/src\"\n[[files.destination]]\n" +
                                    "url = \"" + (dest.empty() ? dest_ : dest) + "\"\n" +
                                    "[logging]\ndir = \"" + dir_ + "/logs\"\n[hooks]\n" + hooks);
  }

  ProcessResult Dredge(std::vector<std::string> args) {
    args.insert(args.begin(), {DredgeBin(), "--config", dir_ + "/dredge.toml"});
    return RunProcess(args, env_, dir_);
  }

  std::vector<nlohmann::json> Records() {
    std::vector<nlohmann::json> out;
    std::error_code ec;
    for (auto& e : fs::recursive_directory_iterator(dir_ + "/store/.dredge/runs/files", ec))
      if (e.is_regular_file()) out.push_back(nlohmann::json::parse(Slurp(e.path())));
    return out;
  }

  std::string RunLogs() {
    std::string all;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(dir_ + "/logs", ec))
      if (e.is_regular_file()) all += Slurp(e.path());
    return all;
  }

  std::string dir_, dest_;
  std::map<std::string, std::string> env_;
};

TEST_F(Hooks, OnSuccessGetsTheRunsEnvironmentSummaryAndLogsItsOutput) {
  Config("on_success = \"env > '" + dir_ + "/env.txt'; echo pinged healthchecks\"\n" +
         "on_failure = \"touch '" + dir_ + "/failure-ran'\"\n");
  auto r = Dredge({"backup", "files"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto env = EnvFile(dir_ + "/env.txt");
  auto records = Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(env["DREDGE_HOOK"], "on_success");
  EXPECT_EQ(env["DREDGE_TIER"], "files");
  EXPECT_EQ(env["DREDGE_DEST"], dest_);
  EXPECT_EQ(env["DREDGE_EXIT_CODE"], "0");
  EXPECT_EQ(env["DREDGE_RUN_ID"], records[0]["run_id"].get<std::string>());
  EXPECT_EQ(env["HOME"], dir_ + "/home");  // the caller's environment is inherited
  EXPECT_EQ(env.count("AWS_ACCESS_KEY_ID"), 0u);
  EXPECT_EQ(env.count("AWS_SECRET_ACCESS_KEY"), 0u);
  ASSERT_TRUE(fs::exists(env["DREDGE_SUMMARY"])) << env["DREDGE_SUMMARY"];
  EXPECT_EQ(env["DREDGE_SUMMARY"],
            dir_ + "/logs/summaries/files-" + env["DREDGE_RUN_ID"] + ".json");
  auto summary = nlohmann::json::parse(Slurp(env["DREDGE_SUMMARY"]));
  EXPECT_EQ(summary["uploaded"], 5);
  EXPECT_EQ(summary["exit_code"], 0);
  EXPECT_EQ(summary["destination"], dest_);
  EXPECT_FALSE(fs::exists(dir_ + "/failure-ran"));
  EXPECT_THAT(RunLogs(), HasSubstr("hook on_success: pinged healthchecks"));
}

TEST_F(Hooks, OnFailureRunsWithTheFailedRunsExitCode) {
  Spit(dir_ + "/not-a-dir", "x");  // the destination's root is a file: the backup fails
  Config("on_success = \"touch '" + dir_ + "/success-ran'\"\n" + "on_failure = \"env > '" + dir_ +
             "/env.txt'\"\n",
         "file://" + dir_ + "/not-a-dir/store");
  auto r = Dredge({"backup", "files"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto env = EnvFile(dir_ + "/env.txt");
  EXPECT_EQ(env["DREDGE_HOOK"], "on_failure");
  EXPECT_EQ(env["DREDGE_EXIT_CODE"], "1");
  EXPECT_EQ(env["DREDGE_TIER"], "files");
  EXPECT_EQ(env["DREDGE_RUN_ID"].size(), 16u);
  auto summary = nlohmann::json::parse(Slurp(env["DREDGE_SUMMARY"]));
  EXPECT_EQ(summary["ok"], false);
  EXPECT_FALSE(summary.value("error", "").empty());
  EXPECT_FALSE(fs::exists(dir_ + "/success-ran"));
}

TEST_F(Hooks, AFailingHookIsReportedAndChangesNeitherExitCodeNorRecord) {
  Config("on_success = \"echo about to fail; exit 3\"\n");
  auto r = Dredge({"backup", "files"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("hook on_success (files to " + dest_ + ") exited with status 3"));
  auto records = Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["status"], "ok");
  EXPECT_THAT(RunLogs(), HasSubstr("hook on_success: about to fail"));
}

TEST_F(Hooks, AHangingHookIsKilledWithItsProcessGroupAfterTheTimeout) {
  // The hook starts a background sleeper (same process group) and then hangs itself.
  Config("on_success = \"sleep 60 & echo $! > '" + dir_ + "/child.pid'; sleep 60\"\n" +
         "timeout = \"1s\"\n");
  auto start = std::chrono::steady_clock::now();
  auto r = Dredge({"backup", "files"});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(took, std::chrono::seconds(20));
  EXPECT_THAT(r.err, HasSubstr("did not finish within 1s and was killed"));
  ASSERT_EQ(Records().size(), 1u);
  EXPECT_EQ(Records()[0]["status"], "ok");
  pid_t child = std::stoi(Slurp(dir_ + "/child.pid"));
  // Killed with its group (SIGTERM): no longer running (a zombie is reaped by init quickly).
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    std::string stat = Slurp("/proc/" + std::to_string(child) + "/stat");
    gone = stat.empty() || stat.find(") Z") != std::string::npos;
    if (!gone) ::usleep(100000);
  }
  EXPECT_TRUE(gone) << "the hook's background child " << child << " still runs";
}

TEST_F(Hooks, OnStaleRunsForEachStaleTierAndDestination) {
  Config("on_stale = \"env > '" + dir_ + "/env.txt'\"\n");
  auto r = Dredge({"status", "--max-age", "1h"});  // nothing was ever backed up: stale
  ASSERT_EQ(r.exit_code, 6) << r.err;
  auto env = EnvFile(dir_ + "/env.txt");
  EXPECT_EQ(env["DREDGE_HOOK"], "on_stale");
  EXPECT_EQ(env["DREDGE_TIER"], "files");
  EXPECT_EQ(env["DREDGE_DEST"], dest_);
  EXPECT_EQ(env["DREDGE_EXIT_CODE"], "6");
  EXPECT_EQ(env["DREDGE_RUN_ID"], "");
}

TEST_F(Hooks, OnStaleDoesNotRunWhenBackupsAreFresh) {
  Config("on_stale = \"touch '" + dir_ + "/stale-ran'\"\n");
  ASSERT_EQ(Dredge({"backup", "files"}).exit_code, 0);
  auto r = Dredge({"status", "--max-age", "1h"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(dir_ + "/stale-ran"));
}

TEST_F(Hooks, ADryRunRunsNoHook) {
  Config("on_success = \"touch '" + dir_ + "/ran'\"\n");
  ASSERT_EQ(Dredge({"backup", "files", "--dry-run"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(dir_ + "/ran"));
}

TEST_F(Hooks, ConfigRejectsAZeroTimeoutAndUnknownKeys) {
  Config("on_success = \"true\"\ntimeout = \"0\"\n");
  auto r = Dredge({"backup", "files"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("[hooks] timeout must be above zero"));
  Config("on_sucess = \"true\"\n");
  r = Dredge({"backup", "files"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("on_sucess"));
  EXPECT_THAT(r.err, Not(HasSubstr("uploaded")));
}

}  // namespace
}  // namespace dredge::testing
