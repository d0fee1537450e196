// The files drill engine (engine/drill/files_drill.h) on MemoryStore: restore's `select` restores
// exactly the sample; a clean backup passes and removes its directory; a data object whose bytes
// changed fails as Mismatch naming the file; a store that cannot be read is an error, not a
// mismatch; a source file changed since the backup is reported, not failed.
#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include "engine/drill/files_drill.h"
#include "engine/files/backup.h"
#include "engine/files/restore.h"
#include "engine/files/snapshot_select.h"
#include "files_test_support.h"
#include "formats/file_keys.h"
#include "store/memory/memory_store.h"
#include "support/fault_store.h"

namespace dredge {
namespace {

using testing::ScratchDir;
using testing::WriteFile;

class FilesDrillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto idx = StateIndex::Open(dir_ / "state.sqlite", "memory://drill-test");
    ASSERT_TRUE(idx.ok());
    index_ = std::move(*idx);
    src_ = dir_ / "src";
    for (int i = 0; i < 8; ++i)
      WriteFile(src_ + "/d" + std::to_string(i % 2) + "/f" + std::to_string(i) + ".txt",
                std::string(100 + i, static_cast<char>('a' + i)), 1600000000 + i);
    BackupOptions b;
    b.source = src_;
    b.force = true;
    b.workers = 2;
    auto r = RunFilesBackup(*store_, *index_, b);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::filesystem::create_directories(dir_ / "scratch");
  }
  FilesDrillOptions Options() {
    FilesDrillOptions o;
    o.source = src_;
    o.sample_count = 100;
    o.seed = 9;
    o.scratch_parent = dir_ / "scratch";
    o.workers = 2;
    return o;
  }
  bool ScratchEmpty() { return std::filesystem::is_empty(dir_ / "scratch"); }

  ScratchDir dir_;
  std::string src_;
  std::shared_ptr<MemoryStore> store_ = std::make_shared<MemoryStore>("drill-test");
  std::unique_ptr<StateIndex> index_;
};

TEST_F(FilesDrillTest, RestoreSelectRestoresExactlyTheChosenPaths) {
  RestoreOptions o;
  o.target = dir_ / "out";
  o.snapshot_id = *SelectSnapshot(*store_, {});
  o.select = [](const std::string& p) { return p == "d0/f2.txt" || p == "d1/f5.txt"; };
  auto r = RunFilesRestore(*store_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->restored, 2u);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "out/d0/f2.txt"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "out/d1/f5.txt"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out/d0/f0.txt"));
}

TEST_F(FilesDrillTest, ACleanBackupPassesAndLeavesNothingBehind) {
  FilesDrillReport r = RunFilesDrill(*store_, Options());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.sampled, 8u);
  EXPECT_EQ(r.matched, 8u);
  EXPECT_EQ(r.source_equal, 8u);
  EXPECT_TRUE(r.scratch_removed);
  EXPECT_TRUE(ScratchEmpty());
  ASSERT_EQ(r.checks.size(), 2u);
  EXPECT_EQ(r.checks[0].outcome, DrillCheck::Outcome::kPass);
  EXPECT_EQ(r.checks[1].outcome, DrillCheck::Outcome::kPass);
}

TEST_F(FilesDrillTest, AnAlteredObjectIsAMismatchNamingTheFile) {
  ASSERT_TRUE(PutString(*store_, file_keys::DataKey("d1/f3.txt"), "not what was backed up").ok());
  FilesDrillReport r = RunFilesDrill(*store_, Options());
  EXPECT_TRUE(r.status.Is(ErrorKind::kMismatch)) << r.status.ToString();
  ASSERT_EQ(r.mismatched.size(), 1u);
  EXPECT_EQ(r.mismatched[0].path, "d1/f3.txt");
  EXPECT_EQ(r.matched, 7u);
  EXPECT_EQ(r.checks[0].outcome, DrillCheck::Outcome::kFail);
  EXPECT_TRUE(ScratchEmpty());
}

TEST_F(FilesDrillTest, AStoreThatCannotBeReadIsAnErrorNotAMismatch) {
  testing::FaultStore faulty(store_);
  testing::Fault f;
  f.op = testing::StoreOp::kGet;
  f.kind = ErrorKind::kPermanent;
  f.key_prefix = "d0/";
  f.times = UINT64_MAX;
  faulty.Inject(f);
  FilesDrillReport r = RunFilesDrill(faulty, Options());
  EXPECT_TRUE(r.status.Is(ErrorKind::kPermanent)) << r.status.ToString();
  EXPECT_TRUE(r.mismatched.empty());
  EXPECT_TRUE(ScratchEmpty());
}

TEST_F(FilesDrillTest, ASourceFileChangedSinceTheBackupIsReportedNotFailed) {
  WriteFile(src_ + "/d0/f4.txt", "edited later", 1700000000);
  std::filesystem::remove(src_ + "/d1/f1.txt");
  FilesDrillReport r = RunFilesDrill(*store_, Options());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.source_equal, 6u);
  ASSERT_EQ(r.changed.size(), 2u);
  EXPECT_EQ(r.changed[0].path, "d0/f4.txt");
  EXPECT_EQ(r.changed[1].path, "d1/f1.txt");
}

TEST_F(FilesDrillTest, ASourceFileWithTheRecordedMtimeButOtherBytesFails) {
  WriteFile(src_ + "/d1/f7.txt", std::string(107, 'Z'), 1600000007);
  FilesDrillReport r = RunFilesDrill(*store_, Options());
  EXPECT_TRUE(r.status.Is(ErrorKind::kMismatch)) << r.status.ToString();
  ASSERT_EQ(r.mismatched.size(), 1u);
  EXPECT_EQ(r.mismatched[0].path, "d1/f7.txt");
  EXPECT_EQ(r.checks[1].outcome, DrillCheck::Outcome::kFail);
}

}  // namespace
}  // namespace dredge
