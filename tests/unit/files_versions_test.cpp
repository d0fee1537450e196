// The files tier on a versioned bucket (docs/formats/snapshot.md, rule 0), in-process on the
// versioned MemoryStore: snapshots name versions instead of preserving copies, every snapshot
// restores byte-exact, a lost version is named by restore and verify, and a bucket whose
// versioning was suspended is named.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "engine/files/backup.h"
#include "engine/files/restore.h"
#include "engine/files/verify.h"
#include "files_test_support.h"
#include "formats/file_keys.h"
#include "formats/snapshot.h"
#include "store/object_versions.h"

namespace dredge {
namespace {

using testing::ReadFile;
using testing::ScratchDir;
using testing::WriteFile;

using Tree = std::map<std::string, std::string>;

class FilesVersionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto idx = StateIndex::Open(dir_ / "state.sqlite", "memory://versions-test");
    ASSERT_TRUE(idx.ok());
    index_ = std::move(*idx);
    bopts_.source = dir_ / "src";
    bopts_.force = true;
    bopts_.workers = 4;
    bopts_.dedup_min_size = 1;
    std::filesystem::create_directories(bopts_.source);
  }
  // Makes the source hold exactly `tree` (mtimes move forward each run) and backs it up.
  std::string BackupTree(const Tree& tree) {
    std::filesystem::remove_all(bopts_.source);
    std::filesystem::create_directories(bopts_.source);
    ++run_;
    for (const auto& [p, bytes] : tree)
      WriteFile(bopts_.source + "/" + p, bytes, 1700000000 + run_);
    auto r = RunFilesBackup(store_, *index_, bopts_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return "";
    EXPECT_EQ(r->failed, 0u);
    last_ = *r;
    return r->snapshot;
  }
  std::vector<SnapshotEntry> Entries(const std::string& id) {
    std::vector<SnapshotEntry> out;
    EXPECT_TRUE(ReadSnapshot(
                    store_, id,
                    [&](const SnapshotEntry& e) {
                      out.push_back(e);
                      return Status::Ok();
                    },
                    nullptr)
                    .ok());
    return out;
  }
  RestoreSummary Restore(const std::string& id, const std::string& target) {
    RestoreOptions o;
    o.target = target;
    o.snapshot_id = id;
    o.workers = 4;
    auto r = RunFilesRestore(store_, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RestoreSummary{};
  }
  VerifySummary Verify(const std::string& id, bool deep = false) {
    VerifyOptions o;
    o.snapshot_id = id;
    o.deep = deep;
    auto r = RunFilesVerify(store_, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VerifySummary{};
  }
  bool AnyContentKey() {
    bool any = false;
    EXPECT_TRUE(store_
                    .List(std::string(file_keys::kContentPrefix),
                          [&](const ObjectInfo&) {
                            any = true;
                            return Status::Ok();
                          })
                    .ok());
    return any;
  }

  ScratchDir dir_;
  MemoryStore store_{"versions-test", MemoryStoreOptions{true, false}};
  std::unique_ptr<StateIndex> index_;
  BackupOptions bopts_;
  BackupSummary last_;
  int run_ = 0;
};

TEST_F(FilesVersionsTest, EverySnapshotRestoresByVersionAndNoContentCopiesAreWritten) {
  std::vector<Tree> trees = {
      {{"a.txt", "alpha one"}, {"d/b.txt", "bravo"}, {"gone.txt", "soon removed"}},
      {{"a.txt", "alpha two!"}, {"d/b.txt", "bravo"}, {"dup.txt", "alpha one"}},
      {{"a.txt", "alpha one"}, {"d/b.txt", "bravo changed"}, {"gone.txt", "back again"}},
  };
  std::vector<std::string> ids;
  for (const auto& t : trees) ids.push_back(BackupTree(t));
  EXPECT_EQ(last_.versioning, "enabled");
  EXPECT_EQ(last_.preserved, 0u);
  EXPECT_FALSE(AnyContentKey());
  for (size_t i = 0; i < ids.size(); ++i) {
    for (const auto& e : Entries(ids[i])) EXPECT_FALSE(e.version_id.empty()) << e.path;
    std::string target = dir_ / ("restore" + std::to_string(i));
    auto r = Restore(ids[i], target);
    EXPECT_EQ(r.failed, 0u);
    EXPECT_EQ(r.restored, trees[i].size());
    for (const auto& [p, bytes] : trees[i]) EXPECT_EQ(ReadFile(target + "/" + p), bytes) << p;
    auto v = Verify(ids[i], /*deep=*/true);
    EXPECT_FALSE(v.mismatch()) << (v.problems.empty() ? "" : v.problems[0]);
  }
}

TEST_F(FilesVersionsTest, DeepVerifyHashesTheVersionASnapshotNamesAndNamesItWhenDamaged) {
  std::string snap = BackupTree({{"a.txt", "the bytes"}});
  std::string id = Entries(snap).at(0).version_id;
  // Damage the version in place (same size and recorded ETag: only hashing can tell).
  ASSERT_TRUE(store_.CorruptForTest("a.txt", 0));
  EXPECT_FALSE(Verify(snap).mismatch());
  auto deep = Verify(snap, /*deep=*/true);
  EXPECT_GE(deep.corrupt, 1u);
  EXPECT_TRUE(deep.mismatch());
  bool named = false;
  for (const auto& p : deep.problems) named = named || p.find("version " + id) != std::string::npos;
  EXPECT_TRUE(named) << (deep.problems.empty() ? "" : deep.problems[0]);
}

TEST_F(FilesVersionsTest, AVersionRemovedBehindDredgesBackIsNamedByRestoreAndVerify) {
  std::string first = BackupTree({{"a.txt", "old bytes"}, {"b.txt", "stays"}});
  BackupTree({{"a.txt", "new bytes"}, {"b.txt", "stays"}});
  std::string lost;
  for (const auto& e : Entries(first))
    if (e.path == "a.txt") lost = e.version_id;
  ASSERT_FALSE(lost.empty());
  ASSERT_TRUE(RemoveVersion(store_, "a.txt", lost).ok());
  auto r = Restore(first, dir_ / "out");
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.restored, 1u);
  ASSERT_FALSE(r.problems.empty());
  EXPECT_NE(r.problems[0].find(lost), std::string::npos) << r.problems[0];
  EXPECT_NE(r.problems[0].find("a.txt"), std::string::npos) << r.problems[0];
  // Never restored from another version: the current one holds other bytes.
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out/a.txt"));
  auto v = Verify(first);
  EXPECT_EQ(v.missing, 1u);
  ASSERT_FALSE(v.problems.empty());
  EXPECT_NE(v.problems[0].find(lost), std::string::npos) << v.problems[0];
}

TEST_F(FilesVersionsTest, SuspendedVersioningIsNamedAndReplacedContentIsPreservedAgain) {
  std::string first = BackupTree({{"a.txt", "version one"}});
  store_.SuspendVersioningForTest();
  BackupTree({{"a.txt", "version two"}});
  EXPECT_EQ(last_.versioning, "suspended");
  EXPECT_NE(last_.versioning_warning.find("suspended"), std::string::npos);
  EXPECT_NE(last_.versioning_warning.find("versions-test"), std::string::npos);
  std::string third = BackupTree({{"a.txt", "version three"}});
  EXPECT_GE(last_.preserved, 1u);  // "version two" had no id: kept under .dredge/content/
  EXPECT_TRUE(AnyContentKey());
  EXPECT_EQ(Restore(first, dir_ / "r1").failed, 0u);
  EXPECT_EQ(ReadFile(dir_ / "r1/a.txt"), "version one");
  EXPECT_EQ(Restore(third, dir_ / "r3").failed, 0u);
  EXPECT_EQ(ReadFile(dir_ / "r3/a.txt"), "version three");
}

// The versioned store's current objects and records seen through the plain ObjectStore
// interface: a copy of the bucket where no version can be read by id.
class NoVersionsView final : public ObjectStore {
 public:
  explicit NoVersionsView(ObjectStore& s) : s_(s) {}
  Result<PutResult> Put(std::string_view k, const ByteSource& b, const PutOptions& o) override {
    return s_.Put(k, b, o);
  }
  Status Get(std::string_view k, ByteSink& sink, std::optional<ByteRange> r) override {
    return s_.Get(k, sink, r);
  }
  Result<ObjectInfo> Stat(std::string_view k) override { return s_.Stat(k); }
  Status List(std::string_view p, const ListFn& fn) override { return s_.List(p, fn); }
  Status Remove(std::string_view k) override { return s_.Remove(k); }
  Status Copy(std::string_view a, std::string_view b, const std::optional<Metadata>& m) override {
    return s_.Copy(a, b, m);
  }
  Status Sync() override { return s_.Sync(); }
  StoreCapabilities capabilities() const override { return s_.capabilities(); }
  std::string Describe() const override { return "a copy without versions"; }

 private:
  ObjectStore& s_;
};

TEST_F(FilesVersionsTest, AStoreWithoutVersionsRestoresMd5EqualCopiesAndNamesTheRest) {
  std::string first = BackupTree({{"same.txt", "unchanged"}, {"a.txt", "old"}});
  BackupTree({{"same.txt", "unchanged"}, {"a.txt", "new"}});
  NoVersionsView copy(store_);
  RestoreOptions o;
  o.target = dir_ / "out";
  o.snapshot_id = first;
  auto r = RunFilesRestore(copy, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->restored, 1u);  // same.txt: its key still holds those bytes
  EXPECT_EQ(ReadFile(dir_ / "out/same.txt"), "unchanged");
  EXPECT_EQ(r->failed, 1u);  // a.txt's old bytes were kept only as a version
  ASSERT_EQ(r->problems.size(), 1u);
  EXPECT_NE(r->problems[0].find("keeps no object versions"), std::string::npos) << r->problems[0];
  EXPECT_NE(r->problems[0].find("a.txt"), std::string::npos) << r->problems[0];
}

TEST(SnapshotVersionFields, VersionIdAndRetainUntilRoundTripAndOldReadersKeepWorking) {
  SnapshotHeader h;
  h.id = "snapshot_20250527_001234_a1b2c3";
  auto w = SnapshotWriter::Create("/tmp", h);
  ASSERT_TRUE(w.ok());
  SnapshotEntry with{"a",       1, 5, std::string(32, 'a'), "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
                     1800000000};
  SnapshotEntry without{"b", 2, 6, std::string(32, 'b')};
  ASSERT_TRUE((*w)->Add(with).ok());
  ASSERT_TRUE((*w)->Add(without).ok());
  ASSERT_TRUE((*w)->Finish(0, {}).ok());
  std::ifstream in((*w)->temp_path());
  std::vector<SnapshotEntry> got;
  ASSERT_TRUE(ParseSnapshot(
                  in, h.id,
                  [&](const SnapshotEntry& e) {
                    got.push_back(e);
                    return Status::Ok();
                  },
                  nullptr)
                  .ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].version_id, with.version_id);
  EXPECT_EQ(got[0].retain_until, 1800000000);
  EXPECT_EQ(got[1].version_id, "");
  EXPECT_EQ(got[1].retain_until, 0);
  std::stringstream bad(
      "{\"format\":\"dredge-files-snapshot\",\"version\":1,\"files\":[{\"path\":\"a\",\"size\":1,"
      "\"mtime_ns\":\"1\",\"md5\":\"" +
      std::string(32, 'a') + "\",\"version_id\":\"\"}]}");
  EXPECT_EQ(ParseSnapshot(
                bad, "x", [](const SnapshotEntry&) { return Status::Ok(); }, nullptr)
                .kind(),
            ErrorKind::kCorrupt);
}

}  // namespace
}  // namespace dredge
