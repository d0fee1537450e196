// The files planner (engine/files/planner.h) in-process: BuildPlan's decisions from a source
// tree, the state index and the store's listing, and the damage guard's, without a store.
#include "engine/files/planner.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>
#include <string>
#include <vector>

#include "common/hash.h"
#include "unit/files_test_support.h"

namespace dredge {
namespace {

using testing::ScratchDir;
using testing::WriteFile;

class FilesPlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto idx = StateIndex::Open(work_ / "index.sqlite", "file:///planner-test");
    ASSERT_TRUE(idx.ok()) << idx.status().ToString();
    index_ = std::move(*idx);
  }
  std::string Src(const std::string& rel) { return src_ / rel; }
  // The index row of a file as it is now in the source (as after a backup of it).
  IndexRow RowOf(const std::string& rel, const std::string& bytes) {
    struct stat st {};
    ::stat(Src(rel).c_str(), &st);
    return IndexRow{rel,
                    static_cast<uint64_t>(st.st_size),
                    st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
                    static_cast<uint64_t>(st.st_ino),
                    Md5Hex(bytes),
                    false};
  }
  Plan MakePlan(bool use_listing, const PathFilter& filter = {}) {
    auto plan = BuildPlan(*index_, src_.path(), filter, use_listing, work_.path());
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    return std::move(*plan);
  }
  static std::map<std::string, WorkItem> Work(Plan& p) {
    std::map<std::string, WorkItem> out;
    EXPECT_TRUE(ForEachWorkItem(*p.work, [&](WorkItem& w) {
                  out[w.path] = w;
                  return Status::Ok();
                }).ok());
    return out;
  }
  static std::vector<std::string> Removed(Plan& p) {
    std::vector<std::string> out;
    EXPECT_TRUE(ForEachPath(*p.removed, [&](const std::string& s) {
                  out.push_back(s);
                  return Status::Ok();
                }).ok());
    return out;
  }

  ScratchDir src_, work_;
  std::unique_ptr<StateIndex> index_;
};

TEST_F(FilesPlannerTest, UnchangedFilesAreSkippedChangedAndNewOnesAreWorkGoneOnesRemoved) {
  WriteFile(Src("a.txt"), "alpha", 1700000000);
  WriteFile(Src("b.txt"), "bravo", 1700000000);
  ASSERT_TRUE(index_->Put(RowOf("a.txt", "alpha")).ok());
  ASSERT_TRUE(index_->Put(RowOf("b.txt", "bravo")).ok());
  ASSERT_TRUE(index_->Put(IndexRow{"gone.txt", 3, 1, 9, Md5Hex("old"), false}).ok());
  ASSERT_TRUE(index_->Flush().ok());
  WriteFile(Src("b.txt"), "bravo!", 1700000100);   // changed
  WriteFile(Src("c.txt"), "charlie", 1700000000);  // new

  Plan p = MakePlan(false);
  EXPECT_EQ(p.scanned, 3u);
  EXPECT_EQ(p.unchanged, 1u);
  EXPECT_EQ(p.previous, 3u);  // a, b and gone were backed up before
  auto work = Work(p);
  ASSERT_EQ(work.size(), 2u);
  EXPECT_TRUE(work["b.txt"].has_prev);
  EXPECT_FALSE(work["b.txt"].prev_removed);
  EXPECT_EQ(work["b.txt"].prev_md5, Md5Hex("bravo"));
  EXPECT_FALSE(work["c.txt"].has_prev);
  EXPECT_EQ(p.work_bytes, 6u + 7u);
  EXPECT_EQ(Removed(p), (std::vector<std::string>{"gone.txt"}));
}

TEST_F(FilesPlannerTest, WithAnEmptyIndexTheListingIsThePreviousBackup) {
  WriteFile(Src("kept.txt"), "same", 1700000000);
  ASSERT_TRUE(index_->AddRemote(IndexRow{"kept.txt", 4, -1, 0, Md5Hex("same"), false}).ok());
  ASSERT_TRUE(index_->AddRemote(IndexRow{"stale.txt", 2, -1, 0, Md5Hex("zz"), false}).ok());
  ASSERT_TRUE(index_->Flush().ok());

  Plan p = MakePlan(true);
  EXPECT_EQ(p.previous, 2u);
  auto work = Work(p);
  ASSERT_EQ(work.size(), 1u);  // hashed later: equal content then uploads nothing
  EXPECT_TRUE(work["kept.txt"].prev_from_listing);
  EXPECT_FALSE(work["kept.txt"].prev_removed);
  EXPECT_EQ(Removed(p), (std::vector<std::string>{"stale.txt"}));
  EXPECT_EQ(p.listed_only->count(), 1u);
}

TEST_F(FilesPlannerTest, AnIndexedFileTheListingNoLongerHoldsIsStoredAgain) {
  WriteFile(Src("a.txt"), "alpha", 1700000000);
  WriteFile(Src("b.txt"), "bravo", 1700000000);
  ASSERT_TRUE(index_->Put(RowOf("a.txt", "alpha")).ok());
  ASSERT_TRUE(index_->Put(RowOf("b.txt", "bravo")).ok());
  ASSERT_TRUE(index_->AddRemote(IndexRow{"a.txt", 5, -1, 0, Md5Hex("alpha"), false}).ok());
  ASSERT_TRUE(index_->Flush().ok());  // b.txt's object is gone (a prune, a killed run)

  Plan p = MakePlan(true);
  EXPECT_EQ(p.unchanged, 1u);
  auto work = Work(p);
  ASSERT_EQ(work.size(), 1u);
  EXPECT_FALSE(work["b.txt"].has_prev);  // nothing stored to preserve
}

TEST_F(FilesPlannerTest, TheFilterLimitsWhatIsScannedAndWhatCountsAsRemoved) {
  WriteFile(Src("keep/x.txt"), "x", 1700000000);
  WriteFile(Src("skip/y.txt"), "y", 1700000000);
  ASSERT_TRUE(index_->Put(IndexRow{"skip/gone.txt", 1, 1, 1, Md5Hex("g"), false}).ok());
  ASSERT_TRUE(index_->Flush().ok());
  Plan p = MakePlan(false, PathFilter({"keep/**"}, {}));
  EXPECT_EQ(p.scanned, 1u);
  EXPECT_TRUE(Removed(p).empty());
}

TEST_F(FilesPlannerTest, DamageGuardTripsOnRealChangeButNotOnAMassTouch) {
  for (int i = 0; i < 10; ++i) {
    std::string rel = "f" + std::to_string(i) + ".txt";
    WriteFile(Src(rel), "content " + std::to_string(i), 1700000000);
    ASSERT_TRUE(index_->Put(RowOf(rel, "content " + std::to_string(i))).ok());
  }
  ASSERT_TRUE(index_->Flush().ok());
  for (int i = 0; i < 10; ++i)  // touched, same bytes
    WriteFile(Src("f" + std::to_string(i) + ".txt"), "content " + std::to_string(i), 1700009999);
  Plan touched = MakePlan(false);
  auto g = EvaluateDamageGuard(touched, src_.path(), 20.0, 2, work_.path());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_FALSE(g->tripped);
  EXPECT_EQ(g->changed, 0u);
  EXPECT_EQ(Work(touched)["f3.txt"].md5, Md5Hex("content 3"));  // hashed once, kept for upload

  for (int i = 0; i < 5; ++i)  // half rewritten with new bytes of the same size
    WriteFile(Src("f" + std::to_string(i) + ".txt"), "CONTENT " + std::to_string(i), 1700019999);
  Plan changed = MakePlan(false);
  auto g2 = EvaluateDamageGuard(changed, src_.path(), 20.0, 2, work_.path());
  ASSERT_TRUE(g2.ok()) << g2.status().ToString();
  EXPECT_TRUE(g2->tripped);
  EXPECT_EQ(g2->changed, 5u);
  EXPECT_NE(g2->message.find("change 5 and remove 0 of 10"), std::string::npos) << g2->message;
  EXPECT_NE(g2->message.find("--force"), std::string::npos);
}

}  // namespace
}  // namespace dredge
