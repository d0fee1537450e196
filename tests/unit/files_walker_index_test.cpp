// The walker's order and skipping rules, and the state index's contract.
#include <sys/stat.h>

#include <vector>

#include <gtest/gtest.h>

#include "engine/files/state_index.h"
#include "engine/files/walker.h"
#include "files_test_support.h"

namespace dredge {
namespace {

using testing::ScratchDir;
using testing::WriteFile;

TEST(FilesWalker, SortedByKeyBytesAndSkipsWhatItMust) {
  ScratchDir d;
  for (const char* f : {"a0", "a-b", "a/x", "a.b", "b/.dredge/kept", "\xc3\xa9", "Z", "sp ace"})
    WriteFile(d / f, "x");
  WriteFile(d / ".dredge/snapshots/skip", "x");
  ::symlink("/etc/passwd", (d / "link").c_str());
  ::symlink(d.path().c_str(), (d / "dirlink").c_str());
  ::mkfifo((d / "fifo").c_str(), 0600);
  std::vector<std::string> seen, warnings;
  ASSERT_TRUE(WalkTree(
                  d.path(), PathFilter(),
                  [&](const WalkEntry& e) {
                    seen.push_back(e.rel_path);
                    return Status::Ok();
                  },
                  [&](const WalkIssue& i) { warnings.push_back(i.rel_path); })
                  .ok());
  std::vector<std::string> want = {"Z",      "a-b",     "a.b", "a/x", "a0", "b/.dredge/kept",
                                   "sp ace", "\xc3\xa9"};
  EXPECT_EQ(seen, want);
  EXPECT_EQ(warnings, std::vector<std::string>{"fifo"});
}

TEST(FilesWalker, FilterAndMissingRoot) {
  ScratchDir d;
  WriteFile(d / "keep.txt", "x");
  WriteFile(d / "sub/keep.txt", "x");
  WriteFile(d / "drop.bin", "x");
  std::vector<std::string> seen;
  ASSERT_TRUE(WalkTree(
                  d.path(), PathFilter({"*.txt"}, {"sub/*"}),
                  [&](const WalkEntry& e) {
                    seen.push_back(e.rel_path);
                    return Status::Ok();
                  },
                  nullptr)
                  .ok());
  EXPECT_EQ(seen, std::vector<std::string>{"keep.txt"});
  EXPECT_EQ(WalkTree(
                d / "nope", PathFilter(), [](const WalkEntry&) { return Status::Ok(); }, nullptr)
                .kind(),
            ErrorKind::kIo);
}

TEST(FilesStateIndex, PersistsOrdersAndBelongsToOneDestination) {
  ScratchDir d;
  std::string path = d / "idx/state.sqlite";
  {
    auto idx = StateIndex::Open(path, "file:///dest");
    ASSERT_TRUE(idx.ok()) << idx.status().ToString();
    ASSERT_TRUE((*idx)->Put({"b", 2, 20, 7, std::string(32, 'b'), false}).ok());
    ASSERT_TRUE((*idx)->Put({"a/z", 1, 10, 6, std::string(32, 'a'), false}).ok());
    ASSERT_TRUE((*idx)->Put({"a-z", 1, 10, 5, std::string(32, 'c'), false}).ok());
    ASSERT_TRUE((*idx)->MarkRemoved("b").ok());
    // No Flush: the destructor commits; a kill -9 would lose at most this batch.
  }
  auto idx = StateIndex::Open(path, "file:///dest");
  ASSERT_TRUE(idx.ok());
  auto c = (*idx)->OpenCursor(StateIndex::Table::kFiles);
  ASSERT_TRUE(c.ok());
  std::vector<std::string> order;
  IndexRow r;
  while (*(*c)->Next(&r)) order.push_back(r.path + (r.removed ? "(removed)" : ""));
  EXPECT_EQ(order, (std::vector<std::string>{"a-z", "a/z", "b(removed)"}));
  auto hit = (*idx)->PathWithMd5(std::string(32, 'a'));
  ASSERT_TRUE(hit.ok() && hit->has_value());
  EXPECT_EQ(**hit, "a/z");
  auto row = (*idx)->Lookup("a-z");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->inode, 5u);
  // Sizes as PathWithMd5 sees them: removed rows count too; small sizes are not indexed.
  ASSERT_TRUE((*idx)->Put({"big", 70000, 10, 8, std::string(32, 'd'), false}).ok());
  ASSERT_TRUE((*idx)->Put({"gone", 70001, 10, 9, std::string(32, 'e'), false}).ok());
  ASSERT_TRUE((*idx)->MarkRemoved("gone").ok());
  EXPECT_TRUE((*idx)->HasSize(70000).value());
  EXPECT_TRUE((*idx)->HasSize(70001).value());
  EXPECT_FALSE((*idx)->HasSize(70002).value());
  EXPECT_EQ((*idx)->HasSize(1).status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(StateIndex::Open(path, "s3://other").status().kind(), ErrorKind::kUsage);
  EXPECT_NE(StateIndex::DefaultPath("s3://a"), StateIndex::DefaultPath("s3://b"));
}

}  // namespace
}  // namespace dredge
