// Durability of the files backup across a machine crash (issue 17): uploads are put with
// deferred durability and synced once per batch, so a crash may damage every object put since
// the last Sync. The next backup must then store those files again (never skip one whose
// stored copy is missing or torn, even when the store's listing vouches for it), and a restore
// of every snapshot must give back the exact bytes.
#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "common/hash.h"
#include "engine/files/backup.h"
#include "engine/files/restore.h"
#include "engine/files/uploader.h"
#include "files_test_support.h"
#include "support/crash_store.h"

namespace dredge {
namespace {

using testing::CrashDamage;
using testing::CrashStore;
using testing::ScratchDir;
using testing::WriteFile;

constexpr int kFiles = 12;

std::string Content(int i, int version) {
  // Sizes vary, and version 1 of the even files has the size of version 0 (same-size edits).
  size_t size = 700 + 97 * static_cast<size_t>(i) + (version > 0 && i % 2 ? 31 : 0);
  std::string s(size, 'a');
  for (size_t k = 0; k < s.size(); ++k) s[k] = static_cast<char>('a' + (k * 7 + i + version) % 26);
  return s;
}

class FilesCrashTest : public ::testing::TestWithParam<std::tuple<CrashDamage, bool>> {
 protected:
  void SetUp() override {
    mem_ = std::make_shared<MemoryStore>("files-crash-test");
    store_ = std::make_unique<CrashStore>(mem_);
    store_->damage = std::get<0>(GetParam());
    store_->listing_lies = std::get<1>(GetParam());
    OpenIndex();
    opts_.source = dir_ / "src";
    opts_.workers = 1;  // puts in path order: the crash hits the same files every time
    opts_.sync_batch_files = 4;
    opts_.sync_batch_ms = 3600 * 1000;
    opts_.max_change_pct = 100;
  }
  void OpenIndex() {
    index_.reset();  // a crash loses only what was never committed: rows wait for the Sync
    auto idx = StateIndex::Open(dir_ / "state.sqlite", "memory://files-crash-test");
    ASSERT_TRUE(idx.ok()) << idx.status().ToString();
    index_ = std::move(*idx);
  }
  void Source(int version, int first, int last) {
    for (int i = first; i <= last; ++i)
      WriteFile(opts_.source + "/f" + std::to_string(10 + i), Content(i, version),
                1700000000 + version * 1000 + i);
  }
  // The machine restarts (the index is reopened) and a backup runs; it must fail no file.
  Result<BackupSummary> RestartAndBackUp() {
    store_->Restart();
    store_->CrashAtDeferredPut(0);
    OpenIndex();
    auto r = RunFilesBackup(*store_, *index_, opts_);
    if (r.ok()) {
      EXPECT_EQ(r->failed, 0u) << (r->failures.empty() ? "" : r->failures.front());
    }
    return r;
  }
  // Restores `snapshot` into a fresh folder and checks every file against `expect`.
  void ExpectRestore(const std::string& snapshot, const std::map<std::string, std::string>& expect,
                     const std::string& name) {
    RestoreOptions ro;
    ro.target = dir_ / name;
    ro.snapshot_id = snapshot;
    ro.workers = 2;
    auto r = RunFilesRestore(*store_, ro);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->failed, 0u) << (r->problems.empty() ? "" : r->problems.front());
    EXPECT_EQ(r->restored, expect.size());
    for (const auto& [rel, bytes] : expect)
      EXPECT_TRUE(testing::ReadFile(ro.target + "/" + rel) == bytes) << name << ": " << rel;
  }
  std::map<std::string, std::string> Expected(int version_below, int changed_last,
                                              int count) const {
    std::map<std::string, std::string> m;
    for (int i = 0; i < count; ++i)
      m["f" + std::to_string(10 + i)] = Content(i, i <= changed_last ? version_below : 0);
    return m;
  }

  ScratchDir dir_;
  std::shared_ptr<MemoryStore> mem_;
  std::unique_ptr<CrashStore> store_;
  std::unique_ptr<StateIndex> index_;
  BackupOptions opts_;
};

TEST_P(FilesCrashTest, NextBackupStoresDamagedFilesAgainAndRestoresAreByteExact) {
  // Run 0 completes: files 0..5.
  Source(0, 0, 5);
  auto r0 = RunFilesBackup(*store_, *index_, opts_);
  ASSERT_TRUE(r0.ok()) << r0.status().ToString();
  // Run 1: files 0..5 change (same keys, half of them same size), 6..11 are new. The machine
  // crashes at the 7th deferred put: puts 1-4 were synced with their rows, 5-6 were not.
  Source(1, 0, 5);
  Source(0, 6, kFiles - 1);
  store_->CrashAtDeferredPut(7);
  auto r1 = RunFilesBackup(*store_, *index_, opts_);
  ASSERT_FALSE(r1.ok());
  const auto damaged = store_->damaged();
  ASSERT_EQ(damaged.size(), 2u);  // f14, f15: changed files whose new object was not synced

  // The machine restarts; run 2 must not trust what the crash damaged.
  auto r2 = RestartAndBackUp();
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_TRUE(r2->used_listing);
  for (const auto& key : damaged)
    EXPECT_TRUE(store_->written_since_restart(key)) << key << " was damaged and not stored again";
  for (int i = 0; i < 4; ++i)  // synced and recorded by run 1: not read, not written again
    EXPECT_FALSE(store_->written_since_restart("f" + std::to_string(10 + i)));
  for (int i = 0; i < kFiles; ++i) {
    std::string key = "f" + std::to_string(10 + i);
    auto bytes = GetString(*mem_, key);
    ASSERT_TRUE(bytes.ok()) << key;
    EXPECT_TRUE(*bytes == Content(i, i <= 5 ? 1 : 0)) << key;
  }
  ExpectRestore(r2->snapshot, Expected(1, 5, kFiles), "restore-latest");
  ExpectRestore(r0->snapshot, Expected(0, 5, 6), "restore-first");
  // A third run has nothing left to do.
  auto r3 = RunFilesBackup(*store_, *index_, opts_);
  ASSERT_TRUE(r3.ok()) << r3.status().ToString();
  EXPECT_EQ(r3->uploaded, 0u);
  EXPECT_FALSE(r3->used_listing);
}

TEST_P(FilesCrashTest, ACrashBeforeAnySyncOfTheFirstRunLosesNothingTrusted) {
  Source(0, 0, kFiles - 1);
  opts_.sync_batch_files = 100;
  store_->CrashAtDeferredPut(kFiles);  // every earlier put is owed
  ASSERT_FALSE(RunFilesBackup(*store_, *index_, opts_).ok());
  ASSERT_EQ(store_->damaged().size(), static_cast<size_t>(kFiles - 1));
  auto r = RestartAndBackUp();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const auto& key : store_->damaged()) EXPECT_TRUE(store_->written_since_restart(key)) << key;
  ExpectRestore(r->snapshot, Expected(0, -1, kFiles), "restore");
}

std::string DamageName(const ::testing::TestParamInfo<FilesCrashTest::ParamType>& info) {
  static const char* names[] = {"Lost", "Empty", "Truncated", "Zeroed"};
  return std::string(names[static_cast<int>(std::get<0>(info.param))]) +
         (std::get<1>(info.param) ? "ListingLies" : "ListingTrue");
}

INSTANTIATE_TEST_SUITE_P(
    Damage, FilesCrashTest,
    ::testing::Combine(::testing::Values(CrashDamage::kLost, CrashDamage::kEmpty,
                                         CrashDamage::kTruncated, CrashDamage::kZeroed),
                       ::testing::Bool()),
    DamageName);

// Rows reach the index only after a Sync that covers their objects; a failed Sync keeps them
// out and is reported by every later call.
TEST(SyncedRecorder, RowsAreWrittenOnlyAfterTheSyncThatCoversThem) {
  ScratchDir dir;
  auto idx = StateIndex::Open(dir / "state.sqlite", "memory://r");
  ASSERT_TRUE(idx.ok());
  testing::CountingStore store(std::make_shared<MemoryStore>("r"));
  SyncedRecorder rec(store, **idx, 3, 3600LL * 1000000000);
  auto row = [](const std::string& p) { return IndexRow{p, 1, 1, 1, Md5Hex(p), false}; };
  ASSERT_TRUE(rec.Add(row("a")).ok());
  ASSERT_TRUE(rec.Add(row("b")).ok());
  EXPECT_EQ(store.syncs, 0);
  EXPECT_FALSE((*idx)->Lookup("a")->has_value());
  ASSERT_TRUE(rec.Add(row("c")).ok());  // the batch is full: one Sync, then the rows
  EXPECT_EQ(store.syncs, 1);
  EXPECT_TRUE((*idx)->Lookup("c")->has_value());
  ASSERT_TRUE(rec.Add(row("d")).ok());
  EXPECT_FALSE((*idx)->Lookup("d")->has_value());
  ASSERT_TRUE(rec.Finish().ok());
  EXPECT_EQ(store.syncs, 2);
  EXPECT_TRUE((*idx)->Lookup("d")->has_value());
}

TEST(SyncedRecorder, AFailedSyncKeepsTheRowsOutAndIsReportedFromThenOn) {
  ScratchDir dir;
  auto idx = StateIndex::Open(dir / "state.sqlite", "memory://r");
  ASSERT_TRUE(idx.ok());
  testing::CountingStore store(std::make_shared<MemoryStore>("r"));
  store.fail_sync = true;
  SyncedRecorder rec(store, **idx, 2, 3600LL * 1000000000);
  ASSERT_TRUE(rec.Add({"a", 1, 1, 1, Md5Hex("a"), false}).ok());
  Status st = rec.Add({"b", 1, 1, 1, Md5Hex("b"), false});
  EXPECT_TRUE(st.Is(ErrorKind::kIo)) << st.ToString();
  EXPECT_NE(st.message().find("cannot make the stored files durable"), std::string::npos);
  EXPECT_FALSE((*idx)->Lookup("a")->has_value());
  EXPECT_FALSE(rec.Add({"c", 1, 1, 1, Md5Hex("c"), false}).ok());
  EXPECT_FALSE(rec.Finish().ok());
  EXPECT_FALSE((*idx)->Lookup("c")->has_value());
}

}  // namespace
}  // namespace dredge
