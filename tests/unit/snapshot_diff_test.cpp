// engine/files/snapshot_diff.h: added, removed, changed, renamed between two snapshots (an mtime
// alone is no change), globs limiting both sides, and the per-snapshot summary `dredge
// snapshots` prints (files, bytes, host, changed since the previous one).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/files/snapshot_diff.h"
#include "formats/file_keys.h"
#include "store/byte_io.h"
#include "store/memory/memory_store.h"

namespace dredge {
namespace {

SnapshotEntry E(const std::string& path, uint64_t size, const std::string& md5, int64_t mtime = 1) {
  return {path, size, mtime, md5};
}

void PutSnapshot(ObjectStore& store, const std::string& id, const std::vector<SnapshotEntry>& es,
                 const std::string& host = "host-a") {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& e : es)
    files.push_back({{"path", e.path},
                     {"size", e.size},
                     {"mtime_ns", std::to_string(e.mtime_ns)},
                     {"md5", e.md5}});
  nlohmann::json doc = {{"format", "dredge-files-snapshot"},
                        {"version", 1},
                        {"id", id},
                        {"started_at", "2025-05-27T00:00:00Z"},
                        {"finished_at", "2025-05-27T00:00:01Z"},
                        {"source", "/src"},
                        {"host", host},
                        {"files", files},
                        {"counts", {{"files", es.size()}}}};
  std::string body = doc.dump();
  MemorySource src(body);
  ASSERT_TRUE(store.Put(file_keys::SnapshotKey(id), src, PutOptions{}).ok());
}

const std::string kA(32, 'a'), kB(32, 'b'), kC(32, 'c'), kD(32, 'd');

TEST(SnapshotDiff, EveryKindOfChange) {
  std::vector<SnapshotEntry> before = {E("changed.txt", 10, kA), E("gone.txt", 3, kB),
                                       E("old/name.txt", 7, kC), E("same.txt", 5, kD, 100)};
  std::vector<SnapshotEntry> after = {E("changed.txt", 12, kB), E("new.txt", 4, kA),
                                      E("new/name.txt", 7, kC), E("same.txt", 5, kD, 200)};
  SnapshotDiff d = DiffEntries(before, after);
  ASSERT_EQ(d.added.size(), 1u);
  EXPECT_EQ(d.added[0].path, "new.txt");
  ASSERT_EQ(d.removed.size(), 1u);
  EXPECT_EQ(d.removed[0].path, "gone.txt");
  ASSERT_EQ(d.changed.size(), 1u);
  EXPECT_EQ(d.changed[0].before.size, 10u);
  EXPECT_EQ(d.changed[0].after.size, 12u);
  ASSERT_EQ(d.renamed.size(), 1u);
  EXPECT_EQ(d.renamed[0].before.path, "old/name.txt");
  EXPECT_EQ(d.renamed[0].after.path, "new/name.txt");
  EXPECT_EQ(d.unchanged, 1u);  // only the mtime of same.txt differs
  EXPECT_EQ(d.Count(), 4u);
}

TEST(SnapshotDiff, SameContentDifferentSizeIsNoRenameAndCopiesPairOnce) {
  // Two removed files with equal content and one added copy: one rename, one removal.
  std::vector<SnapshotEntry> before = {E("a1", 7, kC), E("a2", 7, kC)};
  std::vector<SnapshotEntry> after = {E("b1", 7, kC), E("b2", 8, kC)};
  SnapshotDiff d = DiffEntries(before, after);
  ASSERT_EQ(d.renamed.size(), 1u);
  EXPECT_EQ(d.renamed[0].before.path, "a1");
  EXPECT_EQ(d.renamed[0].after.path, "b1");
  ASSERT_EQ(d.removed.size(), 1u);
  EXPECT_EQ(d.removed[0].path, "a2");
  ASSERT_EQ(d.added.size(), 1u);
  EXPECT_EQ(d.added[0].path, "b2");
}

TEST(SnapshotDiff, FromTheStoreWithGlobs) {
  MemoryStore store("diff-test");
  PutSnapshot(store, "snapshot_20250527_000000_aaaaaa",
              {E("docs/a.txt", 1, kA), E("img/x.png", 2, kB)});
  PutSnapshot(store, "snapshot_20250527_000100_bbbbbb",
              {E("docs/a.txt", 3, kC), E("docs/b.txt", 4, kD)});
  auto all = DiffSnapshots(store, "snapshot_20250527_000000_aaaaaa",
                           "snapshot_20250527_000100_bbbbbb", PathFilter());
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->changed.size(), 1u);
  EXPECT_EQ(all->added.size(), 1u);
  EXPECT_EQ(all->removed.size(), 1u);
  auto txt = DiffSnapshots(store, "snapshot_20250527_000000_aaaaaa",
                           "snapshot_20250527_000100_bbbbbb", PathFilter({"*.txt"}, {}));
  ASSERT_TRUE(txt.ok());
  EXPECT_EQ(txt->removed.size(), 0u);  // img/x.png is not selected
  EXPECT_EQ(txt->Count(), 2u);
  auto missing = DiffSnapshots(store, "snapshot_20250527_000000_aaaaaa",
                               "snapshot_20990101_000000_cccccc", PathFilter());
  EXPECT_EQ(missing.status().kind(), ErrorKind::kNotFound);
}

TEST(SnapshotDiff, SummariesCountFilesBytesAndChangesSinceThePrevious) {
  MemoryStore store("summary-test");
  PutSnapshot(store, "snapshot_20250527_000000_aaaaaa", {E("a", 1, kA), E("b", 2, kB)}, "h1");
  PutSnapshot(store, "snapshot_20250527_000100_bbbbbb",
              {E("a", 1, kA), E("b", 5, kC), E("c", 10, kD)}, "h2");
  auto refs = ListSnapshots(store);
  ASSERT_TRUE(refs.ok());
  auto rows = SummarizeSnapshots(store, *refs);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].host, "h1");
  EXPECT_EQ((*rows)[0].files, 2u);
  EXPECT_EQ((*rows)[0].bytes, 3u);
  EXPECT_EQ((*rows)[0].changed, 2u);  // the first counts all its files
  EXPECT_EQ((*rows)[1].host, "h2");
  EXPECT_EQ((*rows)[1].files, 3u);
  EXPECT_EQ((*rows)[1].bytes, 16u);
  EXPECT_EQ((*rows)[1].changed, 2u);  // b changed, c added
}

}  // namespace
}  // namespace dredge
