// Files-tier prune against MemoryStore: after pruning, every kept snapshot restores byte-exact;
// only what retiring snapshots alone needed is deleted; objects no snapshot recorded, other
// records under .dredge/ and current data are never touched; --dry-run deletes nothing; a prune
// that fails part-way retires its snapshots on the next run; backups after a prune do not trust
// index rows for deleted objects.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "common/hash.h"
#include "engine/files/backup.h"
#include "engine/files/prune.h"
#include "engine/files/restore.h"
#include "engine/files/snapshot_catalog.h"
#include "files_test_support.h"
#include "formats/file_keys.h"
#include "prune_test_support.h"
#include "store/wrap/store_wrapper.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;
using testing::DirTree;
using testing::ReadFile;
using testing::ScratchDir;
using testing::Tree;
using testing::WriteFile;

// Fails Remove for chosen keys (to interrupt a prune).
class FailingRemoveStore final : public StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;
  Status Remove(std::string_view k) override {
    if (fail_keys.count(std::string(k))) return Status::Retryable("injected failure");
    return StoreWrapper::Remove(k);
  }
  std::set<std::string> fail_keys;
};

class FilesPruneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mem_ = std::make_shared<MemoryStore>("files-prune-test");
    auto idx = StateIndex::Open(dir_ / "state.sqlite", "memory://files-prune-test");
    ASSERT_TRUE(idx.ok()) << idx.status().ToString();
    index_ = std::move(*idx);
    opts_.source = dir_ / "src";
    opts_.workers = 4;
    opts_.force = true;  // the histories below change most files on purpose
    fs::create_directories(opts_.source);
  }
  void Src(const std::string& rel, const std::string& bytes, int64_t mtime_s = 1700000000) {
    WriteFile(opts_.source + "/" + rel, bytes, mtime_s);
  }
  void Rm(const std::string& rel) { fs::remove(opts_.source + "/" + rel); }
  Tree SourceTree() { return DirTree(opts_.source); }
  // Runs a backup and remembers the source tree its snapshot must restore.
  BackupSummary Backup() {
    auto r = RunFilesBackup(*mem_, *index_, opts_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    expected_[r->snapshot] = SourceTree();
    return *r;
  }
  Tree Restore(const std::string& id) {
    std::string target = dir_ / ("restore-" + id);
    RestoreOptions ro;
    ro.target = target;
    ro.snapshot_id = id;
    ro.workers = 4;
    auto r = RunFilesRestore(*mem_, ro);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) {
      EXPECT_EQ(r->failed, 0u) << id << ": " << (r->problems.empty() ? "" : r->problems[0]);
    }
    return fs::exists(target) ? DirTree(target) : Tree{};
  }
  std::vector<std::string> SnapshotIds() { return testing::SnapshotIdsOf(*mem_); }
  std::set<std::string> Keys() { return testing::KeysOf(*mem_); }
  Result<PruneSummary> Prune(int keep_last, bool dry_run = false, ObjectStore* store = nullptr) {
    PruneOptions po;
    po.policy.keep_last = keep_last;
    po.dry_run = dry_run;
    po.on_remove = [this](const PruneTarget& t) { reported_.insert(t.kind + ":" + t.key); };
    reported_.clear();
    return PruneFiles(store ? *store : *mem_, po);
  }
  // Three runs: a.txt changes twice (old contents preserved), b.txt and c.txt leave the source.
  void History() {
    Src("a.txt", "A1");
    Src("b.txt", "B1");
    Src("c.txt", "C1");
    Src("dir/keep.txt", "K");
    Backup();
    Src("a.txt", "A2-changed", 1700000100);
    Rm("b.txt");
    Src("d.txt", "D1");
    Backup();
    Src("a.txt", "A3-changed-again", 1700000200);
    Rm("c.txt");
    Src("e.txt", "E1");
    Backup();
  }

  ScratchDir dir_;
  std::shared_ptr<MemoryStore> mem_;
  std::unique_ptr<StateIndex> index_;
  BackupOptions opts_;
  std::map<std::string, Tree> expected_;
  std::set<std::string> reported_;
};

TEST_F(FilesPruneTest, KeepLastOneDeletesOnlyWhatRetiredSnapshotsNeeded) {
  History();
  auto ids = SnapshotIds();
  ASSERT_EQ(ids.size(), 3u);
  ASSERT_EQ(Keys().count(file_keys::ContentKey(Md5Hex("A1"))), 1u);
  ASSERT_EQ(Keys().count(file_keys::ContentKey(Md5Hex("A2-changed"))), 1u);

  auto r = Prune(1);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kept.size(), 1u);
  EXPECT_EQ(r->kept[0].id, ids[2]);
  EXPECT_EQ(r->removed_snapshots, (std::vector<std::string>{ids[1], ids[0]}));
  EXPECT_EQ(r->data_objects_removed, 2u);     // b.txt, c.txt
  EXPECT_EQ(r->content_objects_removed, 2u);  // A1, A2-changed
  EXPECT_EQ(r->bytes_freed, 2u + 2u + 2u + 10u);
  EXPECT_EQ(r->failed, 0u);
  EXPECT_EQ(SnapshotIds(), std::vector<std::string>{ids[2]});
  std::set<std::string> want = {"a.txt",
                                "d.txt",
                                "dir/keep.txt",
                                "e.txt",
                                file_keys::SnapshotKey(ids[2]),
                                file_keys::PruneRecordKey(r->record),
                                file_keys::PruneMarkerKey()};
  EXPECT_EQ(Keys(), want);
  EXPECT_EQ(Restore(ids[2]), expected_[ids[2]]);
}

TEST_F(FilesPruneTest, EveryKeptSnapshotStillRestoresByteExact) {
  History();
  auto ids = SnapshotIds();
  auto r = Prune(2);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->removed_snapshots, std::vector<std::string>{ids[0]});
  // b.txt only the first snapshot had; A1 only the first snapshot needed.
  EXPECT_EQ(r->data_objects_removed, 1u);
  EXPECT_EQ(r->content_objects_removed, 1u);
  auto keys = Keys();
  EXPECT_EQ(keys.count("b.txt"), 0u);
  EXPECT_EQ(keys.count("c.txt"), 1u);  // the second snapshot still has it
  EXPECT_EQ(keys.count(file_keys::ContentKey(Md5Hex("A2-changed"))), 1u);
  EXPECT_EQ(keys.count(file_keys::ContentKey(Md5Hex("A1"))), 0u);
  for (const auto& id : {ids[1], ids[2]}) EXPECT_EQ(Restore(id), expected_[id]) << id;
  EXPECT_EQ(Restore(ids[1]).at("a.txt"), "A2-changed");
}

TEST_F(FilesPruneTest, DryRunReportsExactlyWhatARealRunDeletesAndDeletesNothing) {
  History();
  auto before = Keys();
  auto dry = Prune(1, /*dry_run=*/true);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(Keys(), before);
  EXPECT_TRUE(dry->record.empty());
  auto would = reported_;
  EXPECT_EQ(would.size(), 2u + 2u + 2u);  // 2 data, 2 content, 2 snapshots
  auto real = Prune(1);
  ASSERT_TRUE(real.ok());
  // The real run also deletes nothing else (no earlier prune records exist).
  EXPECT_EQ(reported_, would);
  EXPECT_EQ(dry->objects_removed(), real->objects_removed());
  EXPECT_EQ(dry->bytes_freed, real->bytes_freed);
}

TEST_F(FilesPruneTest, ObjectsNoSnapshotRecordedAndOtherRecordsAreNeverDeleted) {
  History();
  auto put = [&](const std::string& key, const std::string& bytes) {
    ASSERT_TRUE(PutString(*mem_, key, bytes).ok());
  };
  put("foreign.txt", "was in the bucket before dredge");  // never in a snapshot
  put("b.txt", "B-uploaded-by-a-killed-run");             // key a retiring snapshot named,
                                                          // but other content
  put(".dredge/leases/files.json", "{}");
  put(".dredge/db/manifest_x.json", "{}");
  put(".dredge/content/not-an-md5", "x");
  put(file_keys::ContentKey(Md5Hex("debris")), "debris");  // preserved by an aborted run
  auto r = Prune(1);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto keys = Keys();
  for (const char* k : {"foreign.txt", "b.txt", ".dredge/leases/files.json",
                        ".dredge/db/manifest_x.json", ".dredge/content/not-an-md5"})
    EXPECT_EQ(keys.count(k), 1u) << k;
  EXPECT_EQ(keys.count(file_keys::ContentKey(Md5Hex("debris"))), 0u);
  EXPECT_EQ(*GetString(*mem_, "b.txt"), "B-uploaded-by-a-killed-run");
}

TEST_F(FilesPruneTest, CurrentDataIsNeverDeletedWhateverThePolicy) {
  History();
  auto ids = SnapshotIds();
  for (int keep = 1; keep <= 3; ++keep) {
    auto r = Prune(keep);
    ASSERT_TRUE(r.ok());
    for (const auto& [path, bytes] : expected_[ids[2]])
      EXPECT_EQ(*GetString(*mem_, path), bytes) << path;
  }
}

TEST_F(FilesPruneTest, RefusesAPolicyThatKeepsNothing) {
  History();
  auto r = Prune(0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kUsage);
  EXPECT_EQ(SnapshotIds().size(), 3u);
}

TEST_F(FilesPruneTest, FailedDeletionKeepsSnapshotsAndTheNextPruneRetiresThem) {
  History();
  auto ids = SnapshotIds();
  FailingRemoveStore failing(mem_);
  failing.fail_keys.insert("c.txt");
  auto r = Prune(1, false, &failing);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->failed, 1u);
  ASSERT_EQ(r->failures.size(), 1u);
  EXPECT_NE(r->failures[0].find("c.txt"), std::string::npos);
  EXPECT_EQ(SnapshotIds().size(), 3u);  // nothing retired while an object could not go
  // A later prune, even with a policy that would keep all three, finishes the retirement.
  auto again = Prune(5);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->forced_retiring, (std::vector<std::string>{ids[1], ids[0]}));
  EXPECT_EQ(SnapshotIds(), std::vector<std::string>{ids[2]});
  EXPECT_EQ(Keys().count("c.txt"), 0u);
  EXPECT_EQ(Restore(ids[2]), expected_[ids[2]]);
  // Only the newest prune record is left, and the marker names it.
  auto record = NewestPruneRecord(*mem_);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(*record, again->record);
  EXPECT_EQ(*PruneToken(*mem_), again->record);
  int records = 0;
  for (const auto& k : Keys()) records += k.starts_with(file_keys::kPrunePrefix);
  EXPECT_EQ(records, 2);  // the record and the marker
}

TEST_F(FilesPruneTest, BackupAfterPruneStoresAgainWhatTheIndexBelievedStored) {
  Src("a.txt", "A1");
  Src("b.txt", "B1");
  Backup();
  Rm("b.txt");
  Backup();
  auto pr = Prune(1);  // b.txt's object goes: only the first snapshot had it
  ASSERT_TRUE(pr.ok());
  ASSERT_EQ(Keys().count("b.txt"), 0u);
  // b.txt comes back with the same bytes and mtime: the index row says that content is stored.
  Src("b.txt", "B1");
  auto s = Backup();
  EXPECT_TRUE(s.used_listing);
  EXPECT_EQ(s.uploaded, 1u);
  EXPECT_EQ(*GetString(*mem_, "b.txt"), "B1");
  EXPECT_EQ(Restore(s.snapshot), expected_[s.snapshot]);
  // The index is in step again: the next run trusts it.
  auto next = Backup();
  EXPECT_FALSE(next.used_listing);
  EXPECT_EQ(next.uploaded, 0u);
}

TEST_F(FilesPruneTest, BackupAfterPruneDoesNotTrustRowsOutsideTheLastFilter) {
  Src("a.txt", "A1");
  Src("b.bin", "B1");
  Backup();
  opts_.filter = PathFilter({"*.txt"}, {});
  Backup();  // its snapshot has a.txt only; b.bin's row stays in the index, unchanged
  auto pr = Prune(1);
  ASSERT_TRUE(pr.ok());
  ASSERT_EQ(Keys().count("b.bin"), 0u);
  opts_.filter = PathFilter();
  auto s = Backup();
  EXPECT_EQ(s.uploaded, 1u);
  EXPECT_EQ(Restore(s.snapshot), expected_[s.snapshot]);
}

TEST_F(FilesPruneTest, NothingToDoWritesNoRecord) {
  History();
  auto r = Prune(3);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->record.empty());
  EXPECT_EQ(r->objects_removed(), 0u);
  auto record = NewestPruneRecord(*mem_);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(*record, "");
  auto token = PruneToken(*mem_);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, "");
}

TEST_F(FilesPruneTest, WithoutSnapshotsNothingIsDeleted) {
  // A wrong --dest, or a store whose only run never finished: nothing says what is needed.
  ASSERT_TRUE(PutString(*mem_, file_keys::ContentKey(Md5Hex("x")), "x").ok());
  ASSERT_TRUE(PutString(*mem_, "a.txt", "a").ok());
  auto r = Prune(1);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->objects_removed(), 0u);
  EXPECT_EQ(Keys().size(), 2u);
}

}  // namespace
}  // namespace dredge
