// Prometheus textfile metrics: exact contents, merging across tiers, failures counted, the last
// success kept, and the file replaced atomically.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ops/metrics.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class MetricsFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "dredge-metrics-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    path_ = dir_ + "/dredge.prom";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_, path_;
};

RunMetrics MakeRun(const std::string& tier, bool ok, int64_t end_s) {
  RunMetrics m;
  m.tier = tier;
  m.destination = "s3://b/p";
  m.success = ok;
  m.exit_code = ok ? 0 : 1;
  m.start_ns = (end_s - 90) * 1000000000;
  m.end_ns = end_s * 1000000000 + 500000000;
  m.objects = 12;
  m.bytes = 3456789;
  m.rows = tier == "db" ? 20000 : 0;
  return m;
}

TEST_F(MetricsFile, SuccessWritesEverySeries) {
  ASSERT_TRUE(UpdateMetricsFile(path_, MakeRun("files", true, 1700000000)).ok());
  std::string text = Read(path_);
  const std::string l = "{tier=\"files\",destination=\"s3://b/p\"}";
  for (const std::string& line : {
           "dredge_last_run_timestamp_seconds" + l + " 1700000000.500",
           "dredge_last_run_success" + l + " 1",
           "dredge_last_run_exit_code" + l + " 0",
           "dredge_last_run_duration_seconds" + l + " 90.500",
           "dredge_last_run_objects" + l + " 12",
           "dredge_last_run_bytes" + l + " 3456789",
           "dredge_last_run_rows" + l + " 0",
           "dredge_last_success_timestamp_seconds" + l + " 1700000000.500",
           "dredge_failures_total" + l + " 0",
           "dredge_consecutive_failures" + l + " 0",
           std::string("# TYPE dredge_failures_total counter"),
           std::string("# TYPE dredge_last_run_bytes gauge"),
       })
    EXPECT_NE(text.find(line + "\n"), std::string::npos) << "missing: " << line << "\n" << text;
}

TEST_F(MetricsFile, FailuresCountAndKeepTheLastSuccessAndOtherTiers) {
  ASSERT_TRUE(UpdateMetricsFile(path_, MakeRun("files", true, 1700000000)).ok());
  ASSERT_TRUE(UpdateMetricsFile(path_, MakeRun("db", true, 1700000100)).ok());
  ASSERT_TRUE(UpdateMetricsFile(path_, MakeRun("files", false, 1700021600)).ok());
  ASSERT_TRUE(UpdateMetricsFile(path_, MakeRun("files", false, 1700043200)).ok());
  std::string text = Read(path_);
  const std::string f = "{tier=\"files\",destination=\"s3://b/p\"}";
  const std::string d = "{tier=\"db\",destination=\"s3://b/p\"}";
  EXPECT_NE(text.find("dredge_last_success_timestamp_seconds" + f + " 1700000000.500\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("dredge_last_run_success" + f + " 0\n"), std::string::npos);
  EXPECT_NE(text.find("dredge_last_run_exit_code" + f + " 1\n"), std::string::npos);
  EXPECT_NE(text.find("dredge_failures_total" + f + " 2\n"), std::string::npos);
  EXPECT_NE(text.find("dredge_consecutive_failures" + f + " 2\n"), std::string::npos);
  EXPECT_NE(text.find("dredge_last_run_rows" + d + " 20000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("dredge_last_success_timestamp_seconds" + d + " 1700000100.500\n"),
            std::string::npos);

  ASSERT_TRUE(UpdateMetricsFile(path_, MakeRun("files", true, 1700050000)).ok());
  text = Read(path_);
  EXPECT_NE(text.find("dredge_failures_total" + f + " 2\n"), std::string::npos) << "a counter";
  EXPECT_NE(text.find("dredge_consecutive_failures" + f + " 0\n"), std::string::npos);

  // Only the .prom file and its lock remain: no temp files for the collector to trip over.
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    ++files;
    EXPECT_TRUE(e.path().filename() == "dredge.prom" || e.path().filename() == "dredge.prom.lock")
        << e.path();
  }
  EXPECT_EQ(files, 2);
}

TEST_F(MetricsFile, LabelValuesAreEscaped) {
  RunMetrics m = MakeRun("files", true, 1700000000);
  m.destination = "file:///a \"quoted\" \\dir";
  ASSERT_TRUE(UpdateMetricsFile(path_, m).ok());
  EXPECT_NE(Read(path_).find("destination=\"file:///a \\\"quoted\\\" \\\\dir\""), std::string::npos)
      << Read(path_);
  // Read back and merged without mangling.
  ASSERT_TRUE(UpdateMetricsFile(path_, m).ok());
  EXPECT_NE(Read(path_).find("dredge_consecutive_failures{tier=\"files\",destination=\"file:///a "
                             "\\\"quoted\\\" \\\\dir\"} 0"),
            std::string::npos);
}

TEST_F(MetricsFile, AMissingDirectoryIsAnIoErrorNamingThePath) {
  Status st = UpdateMetricsFile(dir_ + "/no/such/dir/dredge.prom", MakeRun("files", true, 1));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.kind(), ErrorKind::kIo);
  EXPECT_NE(st.message().find("no/such/dir"), std::string::npos);
}

}  // namespace
}  // namespace dredge
