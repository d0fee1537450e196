// cli/suggest.h: the edit distance and the "did you mean" choice (near enough to be a typo,
// nothing for an unrelated word).
#include <gtest/gtest.h>

#include "cli/suggest.h"

namespace dredge {
namespace {

TEST(Suggest, EditDistanceCountsInsertDeleteSubstituteAndSwap) {
  EXPECT_EQ(EditDistance("backup", "backup"), 0u);
  EXPECT_EQ(EditDistance("backups", "backup"), 1u);
  EXPECT_EQ(EditDistance("--wokers", "--workers"), 1u);
  EXPECT_EQ(EditDistance("restroe", "restore"), 1u);  // neighbours swapped
  EXPECT_EQ(EditDistance("", "abc"), 3u);
}

TEST(Suggest, ClosestNameOnlyForPlausibleTypos) {
  const std::vector<std::string> commands = {"backup", "restore", "verify", "snapshots", "ls"};
  EXPECT_EQ(ClosestName("backups", commands), "backup");
  EXPECT_EQ(ClosestName("snapshot", commands), "snapshots");
  EXPECT_EQ(ClosestName("verfy", commands), "verify");
  EXPECT_EQ(ClosestName("zzzzzz", commands), "");
  EXPECT_EQ(ClosestName("x", commands), "");  // "ls" is 2 edits from a 1-letter word: no guess
  EXPECT_EQ(ClosestName("--wokers", {"--workers", "--dest", "--json"}), "--workers");
}

}  // namespace
}  // namespace dredge
