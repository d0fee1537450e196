// RunScope: lock while running, record and metrics at the end, outcome passed through.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ops/run_record.h"
#include "ops/run_scope.h"
#include "store/memory/memory_store.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;

class RunScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "dredge-scope-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    options_.tier = "files";
    options_.lock.lock_dir = dir_ + "/locks";
    options_.lock.lease.settle = std::chrono::milliseconds(10);
    options_.metrics_file = dir_ + "/dredge.prom";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
  RunScopeOptions options_;
  std::shared_ptr<MemoryStore> store_ = std::make_shared<MemoryStore>("scope");
};

TEST_F(RunScopeTest, LocksWhileRunningThenRecordsTheOutcome) {
  auto scope = RunScope::Begin(store_, options_);
  ASSERT_TRUE(scope.ok()) << scope.status().ToString();
  EXPECT_TRUE(GetString(*store_, ".dredge/locks/files.lease").ok());
  auto second = RunScope::Begin(store_, options_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().kind(), ErrorKind::kLockHeld);

  RunTotals totals;
  totals.objects = 3;
  totals.bytes = 300;
  totals.counts["skipped"] = 7;
  Status partial(ErrorKind::kPartial, "1 file failed: 'a.txt': AccessDenied");
  Status out = (*scope)->Finish(partial, totals);
  EXPECT_EQ(out.kind(), ErrorKind::kPartial);
  EXPECT_EQ(out.message(), partial.message());
  EXPECT_TRUE(GetString(*store_, ".dredge/locks/files.lease").status().Is(ErrorKind::kNotFound));

  auto records = ListRunRecords(*store_, "files");
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u) << "the refused second run records nothing";
  const RunRecord& r = (*records)[0];
  EXPECT_EQ(r.status, "partial");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.error, partial.message());
  EXPECT_EQ(r.objects, 3u);
  EXPECT_EQ(r.counts.at("skipped"), 7);
  EXPECT_EQ(r.run.run_id, (*scope)->run().run_id);

  std::ifstream in(options_.metrics_file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(
      text.str().find("dredge_last_run_exit_code{tier=\"files\",destination=\"memory://scope\"} 3"),
      std::string::npos)
      << text.str();

  // The lock is free again.
  auto again = RunScope::Begin(store_, options_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE((*again)->Finish(Status::Ok(), {}).ok());
}

TEST_F(RunScopeTest, AnAbandonedScopeIsRecordedAsFailed) {
  {
    auto scope = RunScope::Begin(store_, options_);
    ASSERT_TRUE(scope.ok());
  }
  auto last = FindLastRuns(*store_, "files");
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(last->last_failure);
  EXPECT_NE(last->last_failure->error.find("without a result"), std::string::npos);
  EXPECT_TRUE(RunScope::Begin(store_, options_).ok()) << "and its lock is released";
}

}  // namespace
}  // namespace dredge
