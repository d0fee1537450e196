// The restore-point resolvers of both tiers (engine/files/snapshot_select.h,
// engine/db/manifest_select.h) and the shared rules (engine/restore_point_select.h): latest, a
// whole id, the key, a unique prefix, the stamp alone, --as-of, and the errors for an ambiguous
// prefix (candidates listed), no match, bad text, and a selector given with --as-of.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/db/manifest_select.h"
#include "engine/files/snapshot_select.h"
#include "formats/file_keys.h"
#include "store/byte_io.h"
#include "store/memory/memory_store.h"

namespace dredge {
namespace {

class SnapshotSelectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Two snapshots the same day a minute apart, one the day after.
    for (const char* id : {"snapshot_20250527_000750_a1b2c3", "snapshot_20250527_000850_ffee00",
                           "snapshot_20250528_120000_0a0b0c"})
      Put(file_keys::SnapshotKey(id), "{}");
    Put(".dredge/snapshots/not-a-snapshot.txt", "x");  // ignored by the listing
  }
  void Put(const std::string& key, const std::string& body) {
    MemorySource src(body);
    ASSERT_TRUE(store_.Put(key, src, PutOptions{}).ok());
  }
  Result<std::string> Select(const std::string& text, std::optional<int64_t> as_of = {}) {
    return SelectSnapshot(store_, {text, as_of});
  }
  MemoryStore store_{"select-test"};
};

TEST_F(SnapshotSelectTest, LatestAndEmptyPickTheNewest) {
  EXPECT_EQ(*Select(""), "snapshot_20250528_120000_0a0b0c");
  EXPECT_EQ(*Select("latest"), "snapshot_20250528_120000_0a0b0c");
}

TEST_F(SnapshotSelectTest, WholeIdObjectNameAndKeyPickThatSnapshot) {
  EXPECT_EQ(*Select("snapshot_20250527_000750_a1b2c3"), "snapshot_20250527_000750_a1b2c3");
  EXPECT_EQ(*Select("snapshot_20250527_000750_a1b2c3.json"), "snapshot_20250527_000750_a1b2c3");
  EXPECT_EQ(*Select(".dredge/snapshots/snapshot_20250527_000750_a1b2c3.json"),
            "snapshot_20250527_000750_a1b2c3");
}

TEST_F(SnapshotSelectTest, StampAloneAndUniquePrefixes) {
  EXPECT_EQ(*Select("20250527_000850"), "snapshot_20250527_000850_ffee00");
  EXPECT_EQ(*Select("20250528"), "snapshot_20250528_120000_0a0b0c");
  EXPECT_EQ(*Select("snapshot_20250527_0007"), "snapshot_20250527_000750_a1b2c3");
}

TEST_F(SnapshotSelectTest, AmbiguousPrefixListsTheCandidates) {
  auto r = Select("20250527");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(r.status().message().find("matches 2 snapshots"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("snapshot_20250527_000750_a1b2c3"), std::string::npos);
  EXPECT_NE(r.status().message().find("snapshot_20250527_000850_ffee00"), std::string::npos);
  EXPECT_EQ(r.status().message().find("snapshot_20250528"), std::string::npos);
}

TEST_F(SnapshotSelectTest, NoMatchIsNotFoundNamingTheDestination) {
  auto r = Select("20240101");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kNotFound);
  EXPECT_NE(r.status().message().find("select-test"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("dredge snapshots"), std::string::npos);
}

TEST_F(SnapshotSelectTest, TextNoIdCanHoldIsUsage) {
  EXPECT_EQ(Select("2025-05-27").status().kind(), ErrorKind::kUsage);
  EXPECT_EQ(Select("../x").status().kind(), ErrorKind::kUsage);
}

TEST_F(SnapshotSelectTest, AsOfPicksTheNewestAtOrBefore) {
  const int64_t s = 1000000000LL;
  // 2025-05-27T00:08:50Z exactly, and one second before it.
  EXPECT_EQ(*Select("", 1748304530 * s), "snapshot_20250527_000850_ffee00");
  EXPECT_EQ(*Select("latest", 1748304529 * s), "snapshot_20250527_000750_a1b2c3");
  auto none = Select("", 1700000000 * s);
  EXPECT_EQ(none.status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(Select("20250527", 1748304530 * s).status().kind(), ErrorKind::kUsage);
}

TEST(SnapshotSelectEmpty, NoSnapshotIsNotFound) {
  MemoryStore empty("empty");
  EXPECT_EQ(SelectSnapshot(empty, {}).status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(SelectSnapshot(empty, {"latest", std::nullopt}).status().kind(), ErrorKind::kNotFound);
}

TEST(SnapshotSelectMany, AmbiguityListsTenThenCounts) {
  std::vector<SnapshotRef> refs;
  for (int i = 0; i < 12; ++i)
    refs.push_back(
        {"snapshot_20250527_0000" + std::to_string(10 + i) + "_abcdef", 1748304010 + i, 0});
  auto r = SelectSnapshotFrom(refs, {"2025", std::nullopt}, "dest");
  ASSERT_EQ(r.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(r.status().message().find("and 2 more"), std::string::npos) << r.status().message();
}

PrefixListing Manifests() {
  PrefixListing l;
  for (const char* stamp : {"20250527_000750", "20250527_000850", "20250528_120000"})
    l.manifest_keys.push_back(std::string(dbkeys::kManifestPrefix) + "backup_manifest_" + stamp +
                              ".json");
  return l;
}

TEST(ManifestSelect, EveryFormPicksItsManifest) {
  const PrefixListing l = Manifests();
  auto key = [&](const std::string& text) { return ChooseManifestKey(l, {std::nullopt, text}); };
  const std::string k0 = l.manifest_keys[0], k1 = l.manifest_keys[1], k2 = l.manifest_keys[2];
  EXPECT_EQ(*key(""), k2);
  EXPECT_EQ(*key("latest"), k2);
  EXPECT_EQ(*key("backup_manifest_20250527_000750"), k0);
  EXPECT_EQ(*key(k1), k1);
  EXPECT_EQ(*key("20250527_000850"), k1);
  EXPECT_EQ(*key("20250528"), k2);
  EXPECT_EQ(*key("backup_manifest_20250527_0007"), k0);
}

TEST(ManifestSelect, AmbiguousMissingAndAsOf) {
  const PrefixListing l = Manifests();
  auto amb = ChooseManifestKey(l, {std::nullopt, "20250527"}, "s3://b/p");
  ASSERT_EQ(amb.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(amb.status().message().find("backup_manifest_20250527_000750"), std::string::npos);
  EXPECT_NE(amb.status().message().find("backup_manifest_20250527_000850"), std::string::npos);
  auto none = ChooseManifestKey(l, {std::nullopt, "2019"}, "s3://b/p");
  EXPECT_EQ(none.status().kind(), ErrorKind::kNotFound);
  EXPECT_NE(none.status().message().find("s3://b/p"), std::string::npos);
  EXPECT_EQ(*ChooseManifestKey(l, {1748304529LL * 1000000000LL, ""}), l.manifest_keys[0]);
  EXPECT_EQ(ChooseManifestKey(PrefixListing{}, {}).status().kind(), ErrorKind::kNotFound);
}

}  // namespace
}  // namespace dredge
