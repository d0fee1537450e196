// How long the newest restore point stays locked (engine/restore_point_locks.h) on MemoryStore:
// the earliest retain-until among the point's objects, found with a bounded number of Stat
// requests over the oldest objects; a point with an unlocked object is reported unlocked.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/time_util.h"
#include "engine/files/backup.h"
#include "engine/restore_point_locks.h"
#include "files_test_support.h"
#include "formats/db_keys.h"
#include "formats/manifest.h"
#include "ops/retention_store.h"
#include "prune_test_support.h"
#include "store/memory/memory_store.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;
using testing::WriteFile;

int64_t Now() {
  return NowUnixNanos() / 1000000000LL;
}

class PointLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mem_ = std::make_shared<MemoryStore>("point-lock", MemoryStoreOptions{true, true});
    auto idx = StateIndex::Open(dir_ / "state.sqlite", "memory://point-lock");
    ASSERT_TRUE(idx.ok());
    index_ = std::move(*idx);
    opts_.source = dir_ / "src";
    opts_.workers = 2;
    opts_.force = true;
    fs::create_directories(opts_.source);
  }
  // A backup whose retained writes are locked for an hour from `clock_s`.
  void Backup(std::shared_ptr<ObjectStore> store) {
    auto r = RunFilesBackup(*store, *index_, opts_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  std::shared_ptr<ObjectStore> Locked(int64_t clock_s, const std::string& mode = "GOVERNANCE") {
    return std::make_shared<RetentionStore>(mem_, ObjectLockPolicy{mode, 3600},
                                            [clock_s] { return clock_s * 1000000000LL; });
  }
  void Src(const std::string& rel, const std::string& bytes, int64_t mtime_s = 1700000000) {
    WriteFile(opts_.source + "/" + rel, bytes, mtime_s);
  }

  ScratchDir dir_;
  std::shared_ptr<MemoryStore> mem_;
  std::unique_ptr<StateIndex> index_;
  BackupOptions opts_;
};

TEST_F(PointLockTest, NoSnapshotNoPoint) {
  auto p = NewestFilesPointLock(*mem_, Now());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->point.empty());
  EXPECT_EQ(p->asked, 0u);
}

TEST_F(PointLockTest, TheOldestUnchangedObjectGivesTheEarliestDate) {
  const int64_t t0 = Now();
  Src("old.txt", "written in the first run");
  Src("changes.txt", "v1");
  Backup(Locked(t0));
  Src("changes.txt", "v2, written in the second run", 1700000100);
  Backup(Locked(t0 + 100, "COMPLIANCE"));
  auto p = NewestFilesPointLock(*mem_, Now());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_FALSE(p->point.empty());
  EXPECT_FALSE(p->unlocked);
  EXPECT_EQ(p->earliest, t0 + 3600);  // old.txt, locked by the first run
  EXPECT_EQ(p->mode, "GOVERNANCE");
  EXPECT_EQ(p->objects, 3u);  // two files and the snapshot document
  EXPECT_EQ(p->asked, 3u);
}

TEST_F(PointLockTest, RequestsAreBounded) {
  for (int i = 0; i < 30; ++i) Src("f" + std::to_string(i), "bytes " + std::to_string(i));
  Backup(Locked(Now()));
  auto p = NewestFilesPointLock(*mem_, Now(), 5);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->objects, 31u);
  EXPECT_EQ(p->asked, 6u);  // five oldest objects and the snapshot
}

TEST_F(PointLockTest, AnEntrysNoncurrentVersionIsAskedByItsId) {
  const int64_t t0 = Now();
  Src("a.txt", "backed up");
  Backup(Locked(t0));
  // Overwritten behind dredge's back: the snapshot's bytes are now a noncurrent version.
  PutOptions later;
  later.retention = Retention{"GOVERNANCE", t0 + 7200};
  ASSERT_TRUE(PutString(*mem_, "a.txt", "someone else's", later).ok());
  auto p = NewestFilesPointLock(*mem_, Now());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->objects, 2u);
  EXPECT_EQ(p->earliest, t0 + 3600);  // the version the snapshot names, not the current one
  EXPECT_FALSE(p->unlocked);
}

TEST_F(PointLockTest, AnUnlockedObjectMakesThePointUnlocked) {
  Src("a.txt", "written without a lock");
  Backup(mem_);
  auto p = NewestFilesPointLock(*mem_, Now());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->unlocked);
  EXPECT_EQ(p->earliest, 0);
  // A lock in the past counts as none.
  Src("b.txt", "locked, long ago");
  Backup(Locked(Now()));
  auto later = NewestFilesPointLock(*mem_, Now() + 7200);
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->unlocked);
}

TEST_F(PointLockTest, DbPointCoversItsManifestAndChunks) {
  auto none = NewestDbPointLock(*mem_, Now());
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->point.empty());
  const int64_t t = 1748390000;
  RunManifest r = testing::KeylessRun(t, 1);
  const std::string chunk = r.tables[0].chunks[0].key;
  const int64_t until = Now() + 500;
  PutOptions chunk_lock, manifest_lock;
  chunk_lock.retention = Retention{"COMPLIANCE", until};
  manifest_lock.retention = Retention{"COMPLIANCE", until + 10};
  ASSERT_TRUE(PutString(*mem_, chunk, "0123456789", chunk_lock).ok());
  ASSERT_TRUE(PutString(*mem_, dbkeys::ManifestKey(t), RunManifestToJson(r), manifest_lock).ok());
  auto p = NewestDbPointLock(*mem_, Now());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->point, r.id);
  EXPECT_EQ(p->objects, 2u);
  EXPECT_EQ(p->earliest, until);
  EXPECT_EQ(p->mode, "COMPLIANCE");
  EXPECT_FALSE(p->unlocked);
}

}  // namespace
}  // namespace dredge
