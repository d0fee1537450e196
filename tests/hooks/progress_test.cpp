// The progress line (src/common/progress.h) through the real binary. Under a pseudo-terminal:
// a redrawn bar with done/total, rate and ETA for backup, restore and verify (both modes), and
// warnings printed during a run appear on lines of their own, never on top of a bar fragment.
// On a pipe: the periodic plain log line, with no terminal control characters. Runs are slowed
// with --bwlimit so that they outlast the redraw interval.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/file_tree.h"
#include "support/process.h"
#include "support/test_env.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class Progress : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/dredge-progress-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    // 40 files × 6 KiB = 240 KiB; at --bwlimit 60K a transfer takes about 4 s.
    for (int i = 0; i < 40; ++i)
      Spit(dir_ + "/src/page_" + std::to_string(1000 + i) + ".txt",
           std::string(6144, static_cast<char>('a' + i % 26)));
    dest_ = "file://" + dir_ + "/store";
    env_ = {{"HOME", dir_ + "/home"},
            {"XDG_CACHE_HOME", dir_ + "/cache"},
            {"XDG_STATE_HOME", dir_ + "/state"},
            {"XDG_CONFIG_HOME", dir_ + "/config"},
            {"TERM", "xterm"}};
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::vector<std::string> Args(std::vector<std::string> args) {
    args.insert(args.begin(), DredgeBin());
    return args;
  }
  ProcessResult Backup(bool slow) {
    std::vector<std::string> a = {"backup", "files", "--source", dir_ + "/src", "--dest", dest_};
    if (slow) a.insert(a.end(), {"--bwlimit", "60K"});
    return RunProcess(Args(a), env_, dir_);
  }

  std::string dir_, dest_;
  std::map<std::string, std::string> env_;
};

// Every warning in terminal output starts a fresh line (after the bar was cleared) and runs to
// its newline without a carriage return: no bar fragment before or inside it.
void ExpectWarningsOnTheirOwnLines(const std::string& out, size_t at_least) {
  size_t count = 0;
  for (size_t pos = out.find("warn: "); pos != std::string::npos;
       pos = out.find("warn: ", pos + 1)) {
    ++count;
    bool fresh =
        pos == 0 || out[pos - 1] == '\n' || (pos >= 4 && out.compare(pos - 4, 4, "\r\033[K") == 0);
    EXPECT_TRUE(fresh) << "warning after other text: ..."
                       << out.substr(pos > 80 ? pos - 80 : 0, 100);
    size_t end = out.find('\n', pos);
    ASSERT_NE(end, std::string::npos);
    std::string line = out.substr(pos, end - pos);
    EXPECT_EQ(line.find('\r'), std::string::npos) << line;
    EXPECT_EQ(line.find("ETA"), std::string::npos) << line;
  }
  EXPECT_GE(count, at_least) << out;
}

TEST_F(Progress, BackupOnATerminalShowsTotalsRateAndEta) {
  auto r = RunInPty(
      Args({"backup", "files", "--source", dir_ + "/src", "--dest", dest_, "--bwlimit", "60K"}),
      env_, dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex(R"(\r\x1b\[Kbackup: \d+/40 files, [0-9.]+ KiB/240\.0 KiB, )"
                        R"([0-9.]+ KiB/s, ETA 0:0\d)")))
      << r.out;
}

TEST_F(Progress, RestoreOnATerminalTakesItsTotalsFromTheSnapshot) {
  ASSERT_EQ(Backup(false).exit_code, 0);
  auto r = RunInPty(
      Args({"restore", "files", "--dest", dest_, "--target", dir_ + "/out", "--bwlimit", "60K"}),
      env_, dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex(R"(restore: \d+/40 files, [0-9.]+ KiB/240\.0 KiB, .*ETA 0:0\d)")))
      << r.out;
  // The final line replaces the bar and stays: everything restored.
  EXPECT_THAT(r.out, HasSubstr("restore: 40/40 files, 240.0 KiB/240.0 KiB"));
}

TEST_F(Progress, DeepVerifyWarningsNeverLandOnTheBar) {
  ASSERT_EQ(Backup(false).exit_code, 0);
  // Only hashing finds them: mid-run, as warnings, while the bar is shown.
  for (int i : {3, 17, 29})
    CorruptKeepingMtime(dir_ + "/store/page_" + std::to_string(1000 + i) + ".txt");
  auto r = RunInPty(
      Args({"verify", "files", "--dest", dest_, "--deep", "--workers", "2", "--bwlimit", "60K"}),
      env_, dir_);
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex(R"(verify: \d+/\d+ objects, [0-9.]+ KiB/[0-9.]+ KiB, .*ETA 0:0\d)")))
      << r.out;
  ExpectWarningsOnTheirOwnLines(r.out, 3);
}

TEST_F(Progress, OffATerminalAPlainLineEveryFewSeconds) {
  // About 8 s at 30K: longer than the 5 s interval of the plain line, even after a burst.
  auto r = RunProcess(
      Args({"backup", "files", "--source", dir_ + "/src", "--dest", dest_, "--bwlimit", "30K"}),
      env_, dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(
      r.err, std::regex(R"((^|\n)backup: \d+/40 files, [0-9.]+ KiB/240\.0 KiB, .*ETA 0:0\d\n)")))
      << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos);
  EXPECT_EQ(r.err.find("\033["), std::string::npos);
}

}  // namespace
}  // namespace dredge::testing
