// The files-tier prune plan (engine/files/prune_plan.h) and its executor on MemoryStore, plain,
// versioned and with Object Lock: the plan only reads; on a versioned store removals are by
// version id and leave no version of what goes; a locked version is kept and reported, never
// tried, and goes once the clock passes its date; noncurrent versions no kept snapshot
// references go, and every kept snapshot still restores byte-exact.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "common/hash.h"
#include "common/time_util.h"
#include "engine/files/backup.h"
#include "engine/files/prune.h"
#include "engine/files/prune_plan.h"
#include "engine/files/restore.h"
#include "engine/files/snapshot_catalog.h"
#include "files_test_support.h"
#include "formats/file_keys.h"
#include "ops/retention_store.h"
#include "prune_test_support.h"
#include "store/memory/memory_store.h"
#include "store/object_versions.h"
#include "store/wrap/store_wrapper.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;
using testing::DirTree;
using testing::ReadFile;
using testing::ScratchDir;
using testing::Tree;
using testing::WriteFile;

int64_t Now() {
  return NowUnixNanos() / 1000000000LL;
}

// Refuses the version listing or the version HEADs, as S3 does without the permissions.
class DeniedVersionsStore final : public StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;
  Status ListVersions(std::string_view prefix, const VersionListFn& fn) override {
    if (deny_list) return Status::Permanent("AccessDenied (injected)");
    return StoreWrapper::ListVersions(prefix, fn);
  }
  Result<ObjectInfo> StatVersion(std::string_view key, std::string_view id) override {
    if (deny_stat) return Status::Permanent("AccessDenied (injected)");
    return StoreWrapper::StatVersion(key, id);
  }
  bool deny_list = false, deny_stat = false;
};

class FilesPrunePlanTest : public ::testing::Test {
 protected:
  // `lock_seconds` > 0: every backup write of a retained key is locked that long (GOVERNANCE).
  void Open(MemoryStoreOptions mo, int64_t lock_seconds = 0) {
    mem_ = std::make_shared<MemoryStore>("files-prune-plan", mo);
    store_ = mem_;
    if (lock_seconds > 0)
      store_ = std::make_shared<RetentionStore>(mem_, ObjectLockPolicy{"GOVERNANCE", lock_seconds});
    auto idx = StateIndex::Open(dir_ / "state.sqlite", "memory://files-prune-plan");
    ASSERT_TRUE(idx.ok()) << idx.status().ToString();
    index_ = std::move(*idx);
    opts_.source = dir_ / "src";
    opts_.workers = 2;
    opts_.force = true;
    fs::create_directories(opts_.source);
  }
  void Src(const std::string& rel, const std::string& bytes, int64_t mtime_s) {
    WriteFile(opts_.source + "/" + rel, bytes, mtime_s);
  }
  void Backup() {
    auto r = RunFilesBackup(*store_, *index_, opts_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    expected_[r->snapshot] = DirTree(opts_.source);
  }
  // Two runs: a.txt changes (its old bytes preserved), b.txt leaves the source.
  void History() {
    Src("a.txt", "A1", 1700000000);
    Src("b.txt", "B1", 1700000000);
    Backup();
    Src("a.txt", "A2-changed", 1700000100);
    fs::remove(opts_.source + "/b.txt");
    Backup();
  }
  std::vector<std::string> SnapshotIds() { return testing::SnapshotIdsOf(*mem_); }
  // Every version and delete marker: "key@id" ("key@id!" for a marker).
  std::set<std::string> Versions() {
    std::set<std::string> out;
    EXPECT_TRUE(ListVersions(*mem_, "", [&](const VersionInfo& v) {
                  out.insert(v.key + "@" + v.version_id + (v.delete_marker ? "!" : ""));
                  return Status::Ok();
                }).ok());
    return out;
  }
  size_t VersionsOf(const std::string& key) {
    size_t n = 0;
    for (const auto& v : Versions()) n += v.rfind(key + "@", 0) == 0 ? 1 : 0;
    return n;
  }
  Tree Restore(const std::string& id) {
    std::string target = dir_ / ("restore-" + id + std::to_string(++restores_));
    RestoreOptions ro;
    ro.target = target;
    ro.snapshot_id = id;
    ro.workers = 2;
    auto r = RunFilesRestore(*mem_, ro);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return fs::exists(target) ? DirTree(target) : Tree{};
  }
  Result<FilesPrunePlan> Plan(int keep_last, int64_t now_s = Now()) {
    RetentionPolicy p;
    p.keep_last = keep_last;
    return PlanFilesPrune(*store_, p, now_s);
  }
  Result<PruneSummary> Execute(const FilesPrunePlan& plan) {
    PruneOptions o;
    o.workers = 2;
    return ExecuteFilesPrune(*store_, plan, o);
  }
  static std::set<std::string> Keys(const std::vector<PruneTarget>& ts) {
    std::set<std::string> out;
    for (const auto& t : ts) out.insert(t.kind + ":" + t.key);
    return out;
  }

  ScratchDir dir_;
  std::shared_ptr<MemoryStore> mem_;
  std::shared_ptr<ObjectStore> store_;
  std::unique_ptr<StateIndex> index_;
  BackupOptions opts_;
  std::map<std::string, Tree> expected_;
  int restores_ = 0;
};

TEST_F(FilesPrunePlanTest, UnversionedPlanNamesKeysWithoutVersionIds) {
  Open({});
  History();
  auto ids = SnapshotIds();
  auto plan = Plan(1);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_FALSE(plan->versioned);
  EXPECT_EQ(plan->removed_snapshots, std::vector<std::string>{ids[0]});
  EXPECT_EQ(
      Keys(plan->objects.remove),
      (std::set<std::string>{"data:b.txt", "content:" + file_keys::ContentKey(Md5Hex("A1"))}));
  for (const auto& t : plan->objects.remove) EXPECT_TRUE(t.version_id.empty()) << t.key;
  EXPECT_EQ(Keys(plan->snapshots.remove),
            std::set<std::string>{"snapshot:" + file_keys::SnapshotKey(ids[0])});
  EXPECT_TRUE(plan->objects.locked.empty());
  EXPECT_EQ(plan->Count("data"), 1u);
  EXPECT_EQ(plan->Bytes(), 4u);
}

TEST_F(FilesPrunePlanTest, PlanningWritesNothingEvenOnAVersionedStore) {
  Open({.versioned = true, .object_lock = false});
  History();
  auto before = Versions();
  auto plan = Plan(1);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_FALSE(plan->Empty());
  EXPECT_EQ(Versions(), before);
}

TEST_F(FilesPrunePlanTest, WithoutSnapshotsThePlanIsEmpty) {
  Open({.versioned = true, .object_lock = false});
  ASSERT_TRUE(PutString(*mem_, "foreign.txt", "x").ok());
  auto plan = Plan(1);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->no_snapshots);
  EXPECT_TRUE(plan->objects.remove.empty());
}

TEST_F(FilesPrunePlanTest, VersionedRemovalsAreByVersionIdAndLeaveNoVersion) {
  Open({.versioned = true, .object_lock = false});
  History();
  auto ids = SnapshotIds();
  auto plan = Plan(1);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->versioned);
  for (const auto& t : plan->objects.remove) EXPECT_FALSE(t.version_id.empty()) << t.key;
  ASSERT_GE(VersionsOf("b.txt"), 1u);
  auto r = Execute(*plan);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->failed, 0u);
  EXPECT_EQ(VersionsOf("b.txt"), 0u);  // no delete marker left behind either
  EXPECT_EQ(VersionsOf("a.txt"), 1u);  // the first snapshot's A1 version went with it
  EXPECT_EQ(VersionsOf(file_keys::SnapshotKey(ids[0])), 0u);
  EXPECT_EQ(SnapshotIds(), std::vector<std::string>{ids[1]});
  EXPECT_EQ(Restore(ids[1]), expected_[ids[1]]);
}

TEST_F(FilesPrunePlanTest, NoncurrentVersionsOnlyRetiredSnapshotsReferencedGo) {
  Open({.versioned = true, .object_lock = false});
  History();  // a.txt: A1 (first snapshot's version), A2 current
  Src("a.txt", "A3-changed-again", 1700000200);
  Backup();
  auto ids = SnapshotIds();
  ASSERT_EQ(ids.size(), 3u);
  ASSERT_EQ(VersionsOf("a.txt"), 3u);  // no preserved copies: the bucket keeps A1 and A2
  EXPECT_EQ(Keys(Plan(3)->objects.remove), std::set<std::string>{});  // every version referenced
  auto plan = Plan(2);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->unresolved_kept_entries, 0u);  // A2 is found by its version id
  EXPECT_EQ(Keys(plan->objects.remove), (std::set<std::string>{"data:b.txt", "noncurrent:a.txt"}));
  auto r = Execute(*plan);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->noncurrent_versions_removed, 1u);
  EXPECT_EQ(VersionsOf("a.txt"), 2u);  // A2 (the second snapshot's) and A3
  for (const auto& id : {ids[1], ids[2]}) EXPECT_EQ(Restore(id), expected_[id]) << id;
}

TEST_F(FilesPrunePlanTest, NoncurrentVersionsOfKeysNoSnapshotNamesStay) {
  Open({.versioned = true, .object_lock = false});
  ASSERT_TRUE(PutString(*mem_, "foreign.txt", "v1").ok());
  ASSERT_TRUE(PutString(*mem_, "foreign.txt", "v2").ok());
  History();
  auto plan = Plan(2);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  for (const auto& t : plan->objects.remove) EXPECT_NE(t.key, "foreign.txt");
  ASSERT_TRUE(Execute(*plan).ok());
  EXPECT_EQ(VersionsOf("foreign.txt"), 2u);
}

TEST_F(FilesPrunePlanTest, LockedVersionsAreKeptAndReportedNeverTried) {
  Open({.versioned = true, .object_lock = true}, 3600);
  History();
  auto ids = SnapshotIds();
  auto before = Versions();
  auto plan = Plan(1);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // The retiring snapshot's document is locked: it stays whole, with what it references.
  EXPECT_TRUE(plan->removed_snapshots.empty());
  ASSERT_EQ(plan->kept.size(), 2u);
  EXPECT_EQ(plan->kept[1].id, ids[0]);
  ASSERT_EQ(plan->kept[1].reasons.size(), 1u);
  EXPECT_EQ(plan->kept[1].reasons[0].rfind("locked until ", 0), 0u) << plan->kept[1].reasons[0];
  EXPECT_TRUE(plan->snapshots.remove.empty());
  EXPECT_EQ(plan->snapshots.locked.size(), 1u);
  // The noncurrent A1 version is the kept first snapshot's: not even considered.
  EXPECT_TRUE(plan->objects.remove.empty());
  LockSummary locks = plan->Locks();
  EXPECT_EQ(locks.objects, 1u);
  EXPECT_GE(locks.earliest, Now() + 3500);
  auto r = Execute(*plan);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->failed, 0u);
  EXPECT_EQ(r->locked.objects, 1u);
  EXPECT_TRUE(r->record.empty());  // nothing to remove: no record
  EXPECT_EQ(Versions(), before);
  for (const auto& id : ids) EXPECT_EQ(Restore(id), expected_[id]) << id;
}

TEST_F(FilesPrunePlanTest, AClockPastTheRetentionPlansTheLockedVersionsAway) {
  Open({.versioned = true, .object_lock = true}, 3600);
  History();
  auto ids = SnapshotIds();
  auto plan = Plan(1, Now() + 7200);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->removed_snapshots, std::vector<std::string>{ids[0]});
  EXPECT_EQ(plan->Locks().objects, 0u);
  EXPECT_EQ(Keys(plan->objects.remove), (std::set<std::string>{"data:b.txt", "noncurrent:a.txt"}));
}

TEST_F(FilesPrunePlanTest, OnceTheRetentionPassedTheNextPruneRemovesThem) {
  Open({.versioned = true, .object_lock = true}, 1);
  History();
  auto ids = SnapshotIds();
  auto locked = Plan(1);
  ASSERT_TRUE(locked.ok());
  EXPECT_GT(locked->Locks().objects, 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  auto plan = Plan(1);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->Locks().objects, 0u);
  auto r = Execute(*plan);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->failed, 0u) << (r->failures.empty() ? "" : r->failures[0]);
  EXPECT_EQ(SnapshotIds(), std::vector<std::string>{ids[1]});
  EXPECT_EQ(VersionsOf("b.txt"), 0u);
  EXPECT_EQ(Restore(ids[1]), expected_[ids[1]]);
}

TEST_F(FilesPrunePlanTest, ALockedSnapshotDocumentKeepsTheDataItReferences) {
  Open({.versioned = true, .object_lock = true});
  History();
  auto ids = SnapshotIds();
  std::string key = file_keys::SnapshotKey(ids[0]);
  auto info = mem_->Stat(key);
  ASSERT_TRUE(info.ok());
  ASSERT_TRUE(ExtendRetention(*mem_, key, info->version_id, {"COMPLIANCE", Now() + 600}).ok());
  auto plan = Plan(1);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->removed_snapshots.empty());
  // b.txt and A1's version are not locked, but the locked snapshot needs them.
  EXPECT_EQ(Keys(plan->objects.remove), std::set<std::string>{});
  ASSERT_TRUE(Execute(*plan).ok());
  EXPECT_EQ(Restore(ids[0]), expected_[ids[0]]);
}

TEST_F(FilesPrunePlanTest, AVersionListingOrRetentionThatCannotBeReadStopsThePlan) {
  Open({.versioned = true, .object_lock = true});
  History();
  auto denied = std::make_shared<DeniedVersionsStore>(mem_);
  store_ = denied;
  auto before = Versions();
  denied->deny_list = true;
  auto plan = Plan(1);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("s3:ListBucketVersions"), std::string::npos)
      << plan.status().ToString();
  denied->deny_list = false;
  denied->deny_stat = true;
  plan = Plan(1);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("cannot read the retention"), std::string::npos)
      << plan.status().ToString();
  EXPECT_NE(plan.status().message().find("before deleting anything"), std::string::npos);
  EXPECT_EQ(Versions(), before);
}

TEST_F(FilesPrunePlanTest, DryRunSummaryIsWhatTheExecutorReports) {
  Open({.versioned = true, .object_lock = false});
  History();
  auto plan = Plan(1);
  ASSERT_TRUE(plan.ok());
  std::vector<std::string> would, did;
  PruneOptions o;
  o.on_remove = [&](const PruneTarget& t) {
    would.push_back(t.kind + ":" + t.key + "@" + t.version_id);
  };
  PruneSummary dry = DryRunSummary(*plan, o);
  o.on_remove = [&](const PruneTarget& t) {
    did.push_back(t.kind + ":" + t.key + "@" + t.version_id);
  };
  o.workers = 1;
  auto real = ExecuteFilesPrune(*store_, *plan, o);
  ASSERT_TRUE(real.ok());
  ASSERT_FALSE(would.empty());
  for (const auto& w : would) EXPECT_NE(w.back(), '@') << w;  // every removal names its version
  EXPECT_EQ(dry.objects_removed(), real->objects_removed());
  EXPECT_EQ(dry.bytes_freed, real->bytes_freed);
  EXPECT_EQ(std::set<std::string>(would.begin(), would.end()),
            std::set<std::string>(did.begin(), did.end()));
}

}  // namespace
}  // namespace dredge
