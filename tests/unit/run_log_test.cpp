// Per-run log files: named by tier and start time, receive the run's log lines, and only the
// newest N of a tier are kept.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/log.h"
#include "ops/run_log.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kSec = 1000000000;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(RunLog, NamesWritesAndKeepsTheNewest) {
  std::string tmpl = (fs::temp_directory_path() / "dredge-runlog-XXXXXX").string();
  std::string dir = std::string(::mkdtemp(tmpl.data())) + "/logs";
  fs::create_directories(dir);
  std::ofstream(dir + "/notes.txt") << "mine";
  std::ofstream(dir + "/dredge-db-20200101_000000.log") << "db";

  std::vector<std::string> paths;
  for (int i = 0; i < 5; ++i) {
    RunLogOptions o;
    o.dir = dir;
    o.tier = "files";
    o.keep = 3;
    o.start_ns = (1748304754 + i * 3600) * kSec;
    auto l = RunLog::Open(o);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    paths.push_back((*l)->path());
    log::Info("run number " + std::to_string(i));
  }
  EXPECT_EQ(paths[0], dir + "/dredge-files-20250527_001234.log");
  auto left = ListRunLogs(dir, "files");
  ASSERT_EQ(left.size(), 3u);
  EXPECT_EQ(left[0], paths[2]);
  EXPECT_EQ(left[2], paths[4]);
  EXPECT_NE(Read(paths[4]).find("run number 4"), std::string::npos);
  EXPECT_EQ(Read(paths[4]).find("run number 3"), std::string::npos) << "one run per file";
  EXPECT_TRUE(fs::exists(dir + "/notes.txt"));
  EXPECT_TRUE(fs::exists(dir + "/dredge-db-20200101_000000.log")) << "other tiers untouched";

  // Same second again: a new file, not an append to the old one.
  RunLogOptions o;
  o.dir = dir;
  o.tier = "files";
  o.keep = 0;
  o.start_ns = (1748304754 + 4 * 3600) * kSec;
  {
    auto l = RunLog::Open(o);
    ASSERT_TRUE(l.ok());
    EXPECT_EQ((*l)->path(), dir + "/dredge-files-20250527_041234-2.log");
  }
  log::Info("after close");
  EXPECT_EQ(Read(dir + "/dredge-files-20250527_041234-2.log").find("after close"),
            std::string::npos);
  EXPECT_EQ(ListRunLogs(dir, "files").back(), dir + "/dredge-files-20250527_041234-2.log");
  fs::remove_all(fs::path(dir).parent_path());
}

TEST(RunLog, AnUnwritableDirectoryIsAnIoErrorNamingIt) {
  RunLogOptions o;
  o.dir = "/proc/dredge-cannot-be-here";
  o.tier = "files";
  auto l = RunLog::Open(o);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().kind(), ErrorKind::kIo);
  EXPECT_NE(l.status().message().find("/proc/dredge-cannot-be-here"), std::string::npos);
}

}  // namespace
}  // namespace dredge
