// Restore (older snapshots, conflicts, escaping keys) and verify (fast and deep) against
// MemoryStore.
#include <gtest/gtest.h>

#include "common/hash.h"
#include "engine/files/backup.h"
#include "engine/files/restore.h"
#include "engine/files/snapshot_select.h"
#include "engine/files/verify.h"
#include "files_test_support.h"
#include "formats/file_keys.h"
#include "formats/snapshot.h"

namespace dredge {
namespace {

using testing::ReadFile;
using testing::ScratchDir;
using testing::WriteFile;

class FilesRestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto idx = StateIndex::Open(dir_ / "state.sqlite", "memory://restore-test");
    ASSERT_TRUE(idx.ok());
    index_ = std::move(*idx);
    bopts_.source = dir_ / "src";
    bopts_.force = true;
    bopts_.workers = 4;
    std::filesystem::create_directories(bopts_.source);
  }
  std::string Backup() {
    auto r = RunFilesBackup(store_, *index_, bopts_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->failed, 0u);
    return r.ok() ? r->snapshot : "";
  }
  RestoreSummary Restore(const std::string& id, const std::string& target, bool overwrite = false) {
    RestoreOptions o;
    o.target = target;
    o.snapshot_id = id;
    o.overwrite = overwrite;
    o.workers = 4;
    auto r = RunFilesRestore(store_, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RestoreSummary{};
  }
  VerifySummary Verify(bool deep, const std::string& source = "") {
    VerifyOptions o;
    o.deep = deep;
    o.source = source;
    if (source.empty()) o.snapshot_id = *SelectSnapshot(store_, {});
    auto r = RunFilesVerify(store_, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VerifySummary{};
  }
  std::string S(const std::string& rel) { return bopts_.source + "/" + rel; }

  ScratchDir dir_;
  MemoryStore store_{"restore-test"};
  std::unique_ptr<StateIndex> index_;
  BackupOptions bopts_;
};

TEST_F(FilesRestoreTest, OlderSnapshotAfterFilesChangedAndWereRemoved) {
  WriteFile(S("keep.txt"), "kept", 1600000000);
  WriteFile(S("change.txt"), "version one", 1600000001);
  WriteFile(S("d/gone.txt"), "soon removed", 1600000002);
  std::string first = Backup();
  WriteFile(S("change.txt"), "version two", 1600000100);
  std::filesystem::remove(S("d/gone.txt"));
  std::string second = Backup();
  ASSERT_NE(first, second);

  auto s = Restore(first, dir_ / "old");
  EXPECT_EQ(s.restored, 3u);
  EXPECT_EQ(s.failed, 0u);
  EXPECT_EQ(ReadFile(dir_ / "old/change.txt"), "version one");
  EXPECT_EQ(ReadFile(dir_ / "old/d/gone.txt"), "soon removed");
  EXPECT_EQ(testing::MtimeNs(dir_ / "old/change.txt"), 1600000001123456789);
  s = Restore(second, dir_ / "new");
  EXPECT_EQ(s.restored, 2u);
  EXPECT_EQ(ReadFile(dir_ / "new/change.txt"), "version two");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "new/d/gone.txt"));
  // --as-of picks by time; a time before every snapshot finds none.
  EXPECT_EQ(SelectSnapshot(store_, {"", int64_t{0}}).status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(*SelectSnapshot(store_, {}), second);
}

TEST_F(FilesRestoreTest, ExistingFilesSkippedOrLeftAloneUnlessOverwrite) {
  WriteFile(S("same.txt"), "same");
  WriteFile(S("diff.txt"), "from backup");
  std::string id = Backup();
  WriteFile(dir_ / "t/same.txt", "same");
  WriteFile(dir_ / "t/diff.txt", "local edit");
  auto s = Restore(id, dir_ / "t");
  EXPECT_EQ(s.skipped, 1u);
  EXPECT_EQ(s.conflicts, 1u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(ReadFile(dir_ / "t/diff.txt"), "local edit");
  s = Restore(id, dir_ / "t", true);
  EXPECT_EQ(s.restored, 1u);
  EXPECT_EQ(s.failed, 0u);
  EXPECT_EQ(ReadFile(dir_ / "t/diff.txt"), "from backup");
}

TEST_F(FilesRestoreTest, RefusesKeysThatEscapeTheTargetAndMissingContentIsNamed) {
  // A hand-made snapshot with hostile entries (e.g. a tampered store).
  SnapshotHeader h;
  h.id = "snapshot_20250101_000000_abcdef";
  auto w = SnapshotWriter::Create("/tmp", h);
  ASSERT_TRUE(w.ok());
  std::string md5 = Md5Hex("evil");
  for (const char* p : {"../escape.txt", "/abs.txt", ".dredge/snapshots/x", "a/../../up.txt"})
    ASSERT_TRUE((*w)->Add({p, 4, 0, md5}).ok());
  ASSERT_TRUE((*w)->Add({"lost.txt", 4, 0, Md5Hex("lost")}).ok());
  ASSERT_TRUE((*w)->Add({"ok.txt", 4, 0, md5}).ok());
  ASSERT_TRUE((*w)->Finish(0, {}).ok());
  auto src = FileSource::Open((*w)->temp_path());
  ASSERT_TRUE(store_.Put(file_keys::SnapshotKey(h.id), **src, {}).ok());
  ASSERT_TRUE(PutString(store_, "ok.txt", "evil").ok());
  ASSERT_TRUE(PutString(store_, "../escape.txt", "evil").ok());
  auto s = Restore(h.id, dir_ / "target/inner");
  EXPECT_EQ(s.restored, 1u);
  EXPECT_EQ(s.failed, 5u);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "target/escape.txt"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "up.txt"));
  EXPECT_FALSE(std::filesystem::exists("/abs.txt"));
  bool named = false;
  for (const auto& p : s.problems) named |= p.find("lost.txt") != std::string::npos;
  EXPECT_TRUE(named);
}

TEST_F(FilesRestoreTest, VerifyFastAndDeep) {
  WriteFile(S("a.txt"), "alpha");
  WriteFile(S("b.txt"), "bravo");
  WriteFile(S("c.txt"), "charlie");
  Backup();
  auto v = Verify(false);
  EXPECT_EQ(v.checked, 3u);
  EXPECT_FALSE(v.mismatch());
  v = Verify(false, bopts_.source);
  EXPECT_FALSE(v.mismatch());
  // Bit rot is only visible to --deep.
  ASSERT_TRUE(store_.CorruptForTest("a.txt", 1));
  EXPECT_FALSE(Verify(false).mismatch());
  v = Verify(true);
  EXPECT_EQ(v.corrupt, 1u);
  EXPECT_TRUE(v.mismatch());
  bool named = false;
  for (const auto& p : v.problems) named |= p.find("a.txt") != std::string::npos;
  EXPECT_TRUE(named);
  // Missing, different and extra.
  ASSERT_TRUE(store_.Remove("b.txt").ok());
  ASSERT_TRUE(PutString(store_, "c.txt", "CHARLIE").ok());
  ASSERT_TRUE(PutString(store_, "z.txt", "stray").ok());
  v = Verify(false);
  EXPECT_EQ(v.missing, 1u);
  EXPECT_EQ(v.different, 1u);
  EXPECT_EQ(v.extra, 1u);
  v = Verify(false, bopts_.source);
  EXPECT_EQ(v.missing, 1u);
  EXPECT_EQ(v.different, 1u);
  EXPECT_EQ(v.extra, 1u);
}

}  // namespace
}  // namespace dredge
