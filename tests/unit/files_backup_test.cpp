// The files backup engine against MemoryStore: what is uploaded, skipped, copied, preserved,
// and what the damage guard stops.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "common/hash.h"
#include "engine/files/backup.h"
#include "engine/files/uploader.h"
#include "files_test_support.h"
#include "formats/file_keys.h"
#include "formats/snapshot.h"
#include "store/wrap/store_wrapper.h"

namespace dredge {
namespace {

using testing::CountingStore;
using testing::ScratchDir;
using testing::WriteFile;

class FilesBackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mem_ = std::make_shared<MemoryStore>("files-backup-test");
    store_ = std::make_unique<CountingStore>(mem_);
    OpenIndex(dir_ / "state.sqlite");
    opts_.source = dir_ / "src";
    opts_.workers = 4;
    std::filesystem::create_directories(opts_.source);
  }
  void OpenIndex(const std::string& path) {
    index_.reset();
    auto idx = StateIndex::Open(path, "memory://files-backup-test");
    ASSERT_TRUE(idx.ok()) << idx.status().ToString();
    index_ = std::move(*idx);
  }
  void Src(const std::string& rel, const std::string& bytes, int64_t mtime_s = 1700000000) {
    WriteFile(opts_.source + "/" + rel, bytes, mtime_s);
  }
  BackupSummary Backup() {
    store_->Reset();
    auto r = RunFilesBackup(*store_, *index_, opts_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : BackupSummary{};
  }
  std::string Object(const std::string& key) {
    auto s = GetString(*mem_, key);
    return s.ok() ? *s : "<" + s.status().ToString() + ">";
  }

  ScratchDir dir_;
  std::shared_ptr<MemoryStore> mem_;
  std::unique_ptr<CountingStore> store_;
  std::unique_ptr<StateIndex> index_;
  BackupOptions opts_;
};

TEST_F(FilesBackupTest, FirstRunUploadsEverythingWithMetadataAndSnapshot) {
  Src("a.txt", "alpha");
  Src("d/b.txt", "bravo");
  Src("empty", "");
  auto s = Backup();
  EXPECT_EQ(s.scanned, 3u);
  EXPECT_EQ(s.uploaded, 3u);
  EXPECT_EQ(s.bytes_uploaded, 10u);
  EXPECT_EQ(Object("d/b.txt"), "bravo");
  EXPECT_EQ(Object("empty"), "");
  auto info = mem_->Stat("a.txt");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->metadata.at("mtime"), "1700000000.123456789");
  EXPECT_EQ(info->etag, Md5Hex("alpha"));
  ASSERT_FALSE(s.snapshot.empty());
  std::vector<SnapshotEntry> entries;
  ASSERT_TRUE(ReadSnapshot(
                  *mem_, s.snapshot,
                  [&](const SnapshotEntry& e) {
                    entries.push_back(e);
                    return Status::Ok();
                  },
                  nullptr)
                  .ok());
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].path, "a.txt");
  EXPECT_EQ(entries[0].md5, Md5Hex("alpha"));
  EXPECT_EQ(entries[0].mtime_ns, 1700000000123456789);
}

TEST_F(FilesBackupTest, AWipedStoreUnderTheSameUrlIsNotTrustedFromTheIndex) {
  Src("a.txt", "alpha");
  Src("b.txt", "bravo");
  Backup();
  // The store is emptied behind the index's back (wiped, or a new bucket at the same URL).
  std::vector<std::string> keys;
  ASSERT_TRUE(mem_->List("",
                         [&](const ObjectInfo& i) {
                           keys.push_back(i.key);
                           return Status::Ok();
                         })
                  .ok());
  for (const auto& k : keys) ASSERT_TRUE(mem_->Remove(k).ok());
  auto s = Backup();
  EXPECT_EQ(s.uploaded, 2u);
  EXPECT_EQ(s.skipped, 0u);
  EXPECT_EQ(GetString(*mem_, "a.txt").value(), "alpha");
  EXPECT_EQ(GetString(*mem_, "b.txt").value(), "bravo");
}

TEST_F(FilesBackupTest, UnchangedRerunSendsNoRequestButItsSnapshot) {
  Src("a.txt", "alpha");
  Src("b.txt", "bravo");
  Backup();
  auto s = Backup();
  EXPECT_EQ(s.uploaded, 0u);
  EXPECT_EQ(s.skipped, 2u);
  EXPECT_EQ(s.bytes_uploaded, 0u);
  EXPECT_EQ(store_->data_puts, 0);
  EXPECT_EQ(store_->stats, 1);  // the index's last snapshot record still exists (run record)
  EXPECT_EQ(store_->gets, 1);   // the prune marker .dredge/prunes/latest (a small run record)
  EXPECT_EQ(store_->copies, 0);
  EXPECT_EQ(store_->puts, 1);  // the snapshot
}

TEST_F(FilesBackupTest, TouchDoesNotUploadOneByteChangeDoesAndPreservesOldContent) {
  Src("a.txt", "alpha");
  Src("b.txt", "bravo");
  for (int i = 0; i < 8; ++i) Src("other" + std::to_string(i), "o" + std::to_string(i));
  auto first = Backup();
  Src("a.txt", "alpha", 1700000100);  // touch: new mtime, same bytes
  auto s = Backup();
  EXPECT_EQ(s.uploaded, 0u);
  EXPECT_EQ(store_->data_puts, 0);
  Src("b.txt", "brav0", 1700000100);  // same size, one byte differs
  s = Backup();
  EXPECT_EQ(s.uploaded, 1u);
  EXPECT_EQ(Object("b.txt"), "brav0");
  EXPECT_EQ(Object(file_keys::ContentKey(Md5Hex("bravo"))), "bravo");
  EXPECT_EQ(s.preserved, 1u);
}

TEST_F(FilesBackupTest, RemovedFilesKeepTheirObjects) {
  Src("a.txt", "alpha");
  Src("b.txt", "bravo");
  Src("c.txt", "charlie");
  Src("d.txt", "delta");
  Src("e.txt", "echo");
  Backup();
  std::filesystem::remove(opts_.source + "/e.txt");
  auto s = Backup();
  EXPECT_EQ(s.removed, 1u);
  EXPECT_EQ(Object("e.txt"), "echo");
  EXPECT_EQ(store_->removes, 0);
  // Reappearing with other content: the old object is preserved before it is replaced.
  Src("e.txt", "ECHO!", 1700000200);
  s = Backup();
  EXPECT_EQ(s.uploaded, 1u);
  EXPECT_EQ(Object(file_keys::ContentKey(Md5Hex("echo"))), "echo");
}

TEST_F(FilesBackupTest, DamageGuardStopsBeforeWritingAndForceOverrides) {
  for (int i = 0; i < 10; ++i) Src("f" + std::to_string(i), "content " + std::to_string(i));
  Backup();
  size_t objects = mem_->ObjectCount();
  for (int i = 0; i < 3; ++i)
    Src("f" + std::to_string(i), "ENCRYPTED" + std::to_string(i), 1700000300);
  store_->Reset();
  auto r = RunFilesBackup(*store_, *index_, opts_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kPreconditionFailed);
  EXPECT_NE(r.status().message().find("--force"), std::string::npos);
  EXPECT_EQ(store_->puts, 0);
  EXPECT_EQ(store_->copies, 0);
  EXPECT_EQ(mem_->ObjectCount(), objects);
  opts_.force = true;
  auto s = Backup();
  EXPECT_EQ(s.uploaded, 3u);
  EXPECT_EQ(Object("f0"), "ENCRYPTED0");
}

TEST_F(FilesBackupTest, DamageGuardCountsRemovalsButNotAMassTouch) {
  for (int i = 0; i < 10; ++i) Src("f" + std::to_string(i), "content " + std::to_string(i));
  Backup();
  for (int i = 0; i < 10; ++i)
    Src("f" + std::to_string(i), "content " + std::to_string(i), 1700000400);  // touch all
  auto s = Backup();
  EXPECT_EQ(s.uploaded, 0u);
  EXPECT_EQ(s.skipped, 10u);
  for (int i = 0; i < 3; ++i) std::filesystem::remove(opts_.source + "/f" + std::to_string(i));
  auto r = RunFilesBackup(*store_, *index_, opts_);
  EXPECT_EQ(r.status().kind(), ErrorKind::kPreconditionFailed);
  opts_.max_change_pct = 50;
  EXPECT_TRUE(RunFilesBackup(*store_, *index_, opts_).ok());
}

TEST_F(FilesBackupTest, DuplicateContentBecomesAServerSideCopy) {
  opts_.dedup_min_size = 1;
  std::string big(100000, 'z');
  Src("one", big);
  Backup();
  Src("two", big);
  auto s = Backup();
  EXPECT_EQ(s.copied, 1u);
  EXPECT_EQ(s.uploaded, 0u);
  EXPECT_EQ(store_->data_puts, 0);
  EXPECT_EQ(Object("two"), big);
  EXPECT_EQ(mem_->Stat("two")->metadata.at("mtime"), "1700000000.123456789");
}

// Records the MD5 each data put was given and can hide the MD5 the put computed (object_store.h
// O11), as a driver that computes none would.
class PutMd5Log final : public StoreWrapper {
 public:
  PutMd5Log(std::shared_ptr<ObjectStore> inner, bool hide)
      : StoreWrapper(std::move(inner)), hide_(hide) {}
  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override {
    auto r = inner()->Put(key, src, opts);
    std::lock_guard lock(mu_);
    if (!key.starts_with(".dredge/")) given_[std::string(key)] = opts.content_md5_hex;
    if (r.ok() && hide_) r->content_md5.clear();
    return r;
  }
  std::string Given(const std::string& key) {
    std::lock_guard lock(mu_);
    return given_.count(key) ? given_[key] : "<not put>";
  }

 private:
  const bool hide_;
  std::mutex mu_;
  std::map<std::string, std::string> given_;
};

// A file is hashed before its put only when a decision needs it (a previous version of the same
// size, a known content of the same size to copy from); otherwise the index records the MD5 the
// put computed or, when the store reports none, the file's MD5 read after the put.
class FilesMd5FromPutTest : public FilesBackupTest {
 protected:
  void Check(bool hide) {
    auto log = std::make_shared<PutMd5Log>(mem_, hide);
    store_ = std::make_unique<CountingStore>(log);
    opts_.max_change_pct = 100;  // the damage guard would hash the changed files itself
    // Sizes from the default dedup size (64 KiB) up, each content distinct.
    auto bytes = [](char c, size_t n) { return std::string(n, c); };
    std::map<std::string, std::string> want = {{"a", bytes('a', 70000)},
                                               {"b", bytes('b', 70001)},
                                               {"c", bytes('c', 70002)},
                                               {"s", "small"}};
    for (const auto& [path, content] : want) Src(path, content);
    EXPECT_EQ(Backup().uploaded, 4u);
    for (const auto& [path, content] : want) EXPECT_EQ(log->Given(path), "") << path;
    want["b"] = bytes('B', 70001);  // the size of its previous version
    want["d"] = bytes('d', 70000);  // the size of a known content ("a")
    want["e"] = bytes('e', 70003);  // a size nothing has
    want["s"] = "SMALL";            // below the dedup size, but its previous version's size
    Src("b", want["b"], 1700000100);
    Src("d", want["d"]);
    Src("e", want["e"]);
    Src("s", want["s"], 1700000100);
    EXPECT_EQ(Backup().uploaded, 4u);
    EXPECT_EQ(log->Given("b"), Md5Hex(want["b"]));
    EXPECT_EQ(log->Given("d"), Md5Hex(want["d"]));
    EXPECT_EQ(log->Given("e"), "");
    EXPECT_EQ(log->Given("s"), Md5Hex("SMALL"));
    for (const auto& [path, content] : want) {
      EXPECT_EQ(Object(path), content);
      auto row = index_->Lookup(path);
      ASSERT_TRUE(row.ok() && row->has_value()) << path;
      EXPECT_EQ((*row)->md5, Md5Hex(content)) << path;
      EXPECT_EQ((*row)->size, content.size()) << path;
    }
    EXPECT_EQ(Object(file_keys::ContentKey(Md5Hex(std::string(70001, 'b')))),
              std::string(70001, 'b'));
  }
};

TEST_F(FilesMd5FromPutTest, RecordsTheMd5ThePutComputed) {
  Check(false);
}
TEST_F(FilesMd5FromPutTest, HashesAfterThePutWhenTheStoreComputedNone) {
  Check(true);
}

TEST_F(FilesBackupTest, WithoutIndexTheListingDecidesAndRebuildsIt) {
  Src("a.txt", "alpha");
  Src("b.txt", "bravo");
  Backup();
  OpenIndex(dir_ / "new-machine.sqlite");
  auto s = Backup();
  EXPECT_TRUE(s.used_listing);
  EXPECT_EQ(s.uploaded, 0u);
  EXPECT_EQ(s.skipped, 2u);
  EXPECT_EQ(store_->data_puts, 0);
  s = Backup();  // the index is rebuilt: no listing, no hashing needed
  EXPECT_FALSE(s.used_listing);
  EXPECT_EQ(store_->lists, 1);  // only the snapshot name check
  EXPECT_EQ(store_->gets, 1);   // and whether a prune ran (.dredge/prunes/latest)
}

TEST_F(FilesBackupTest, UnfinishedRunIsResumedFromTheListing) {
  Src("a.txt", "alpha");
  Src("b.txt", "bravo");
  Backup();
  // Simulate a kill -9 after "c" was stored but before its index batch was committed.
  Src("c.txt", "charlie");
  ASSERT_TRUE(PutString(*mem_, "c.txt", "charlie").ok());
  ASSERT_TRUE(index_->SetMeta("run_incomplete", "1").ok());
  auto s = Backup();
  EXPECT_TRUE(s.used_listing);
  EXPECT_EQ(s.uploaded, 0u);
  EXPECT_EQ(store_->data_puts, 0);
  EXPECT_EQ(s.skipped, 3u);
}

TEST_F(FilesBackupTest, UnreadableAndDryRun) {
  Src("a.txt", "alpha");
  opts_.dry_run = true;
  auto s = Backup();
  EXPECT_EQ(store_->puts, 0);
  EXPECT_TRUE(s.snapshot.empty());
  EXPECT_EQ(mem_->ObjectCount(), 0u);
}

TEST(FilesUploader, MtimeMetadataFormat) {
  EXPECT_EQ(MtimeMetadataValue(1700000000123456789), "1700000000.123456789");
  EXPECT_EQ(MtimeMetadataValue(5), "0.000000005");
  EXPECT_EQ(*ParseMtimeMetadata("1700000000.5"), 1700000000500000000);
  EXPECT_EQ(*ParseMtimeMetadata("12"), 12000000000);
  EXPECT_FALSE(ParseMtimeMetadata("x").has_value());
}

}  // namespace
}  // namespace dredge
