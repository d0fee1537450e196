// PlanLegacyRestore (engine/db/legacy_restore.h): which StoryDredge chunks a legacy restore
// reads, in which order, into which table, and what it refuses, decided without a store or a
// database.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/db/legacy_restore.h"
#include "formats/db_keys.h"

namespace dredge {
namespace {

constexpr int64_t kMay27 = 1748304470;  // 2025-05-27 00:07:50 UTC

PrefixListing Listing(std::vector<std::string> keys) {
  PrefixListing l;
  l.chunk_keys = std::move(keys);
  return l;
}

TEST(LegacyRestorePlan, NewestRunFirstThenHighestNumberAndCompressedChunksLeftOut) {
  std::string old1 = dbkeys::ChunkKey(1, kMay27, false);
  std::string old2 = dbkeys::ChunkKey(2, kMay27, false);
  std::string new1 = dbkeys::ChunkKey(1, kMay27 + 86400, false);  // numbers restart per run
  std::string packed = dbkeys::ChunkKey(3, kMay27 + 86400, true);
  auto plan = PlanLegacyRestore(Listing({old1, old2, new1, packed}), DbRestoreOptions{});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->chunk_keys, (std::vector<std::string>{new1, old2, old1}));
  EXPECT_EQ(plan->table, "articles");
}

TEST(LegacyRestorePlan, IntoNamesTheTable) {
  DbRestoreOptions o;
  o.into = "archive.articles_copy";
  auto plan = PlanLegacyRestore(Listing({dbkeys::ChunkKey(1, kMay27, false)}), o);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->table, "archive.articles_copy");
}

TEST(LegacyRestorePlan, ARestorePointIsAUsageErrorBecauseLegacyBackupsHaveNone) {
  DbRestoreOptions by_manifest;
  by_manifest.point.manifest = "backup_manifest_20250527_000750";
  auto a = PlanLegacyRestore(Listing({dbkeys::ChunkKey(1, kMay27, false)}), by_manifest);
  EXPECT_EQ(a.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(a.status().message().find("drop --manifest/--as-of"), std::string::npos);
  DbRestoreOptions as_of;
  as_of.point.as_of_unix_nanos = kMay27 * 1000000000LL;
  EXPECT_EQ(PlanLegacyRestore(Listing({dbkeys::ChunkKey(1, kMay27, false)}), as_of).status().kind(),
            ErrorKind::kUsage);
}

TEST(LegacyRestorePlan, NothingToRestoreIsNotFound) {
  auto empty = PlanLegacyRestore(Listing({}), DbRestoreOptions{});
  EXPECT_EQ(empty.status().kind(), ErrorKind::kNotFound);
  auto only_packed =
      PlanLegacyRestore(Listing({dbkeys::ChunkKey(1, kMay27, true)}), DbRestoreOptions{});
  EXPECT_EQ(only_packed.status().kind(), ErrorKind::kNotFound);
}

}  // namespace
}  // namespace dredge
