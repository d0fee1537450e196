// formats/ops_keys.h and the retired-manifest key of formats/db_keys.h: the keys of run
// records, leases, check probes and retired manifests, built and parsed in one place.
#include <gtest/gtest.h>

#include "formats/db_keys.h"
#include "formats/ops_keys.h"

namespace dredge {
namespace {

TEST(OpsKeys, RunRecordKeysSortByStartTime) {
  EXPECT_EQ(ops_keys::RunRecordPrefix("files"), ".dredge/runs/files/");
  // 2025-05-27 00:12:34 UTC
  EXPECT_EQ(ops_keys::RunRecordKey("db", 1748304754, "9f2c"),
            ".dredge/runs/db/run_20250527_001234_9f2c.json");
  EXPECT_LT(ops_keys::RunRecordKey("db", 1748304754, "ffff"),
            ops_keys::RunRecordKey("db", 1748304755, "0000"));
}

TEST(OpsKeys, RecognisesRunRecordKeys) {
  EXPECT_TRUE(ops_keys::IsRunRecordKey(".dredge/runs/db/run_20250527_001234_9f2c.json"));
  EXPECT_FALSE(ops_keys::IsRunRecordKey(".dredge/runs/db/run_20250527_001234_9f2c.tmp"));
  EXPECT_FALSE(ops_keys::IsRunRecordKey(".dredge/snapshots/x.json"));
}

TEST(OpsKeys, TierOfARunRecordKey) {
  EXPECT_EQ(ops_keys::RunRecordTier(".dredge/runs/files/run_1.json"), "files");
  EXPECT_EQ(ops_keys::RunRecordTier(".dredge/runs/db"), "db");
  EXPECT_EQ(ops_keys::RunRecordTier(".dredge/runs//run_1.json"), std::nullopt);
  EXPECT_EQ(ops_keys::RunRecordTier(".dredge/snapshots/s.json"), std::nullopt);
  EXPECT_EQ(ops_keys::RunRecordTier("data/.dredge/runs/db/x.json"), std::nullopt);
}

TEST(OpsKeys, LeaseAndProbeKeys) {
  EXPECT_EQ(ops_keys::LeaseKey("db"), ".dredge/locks/db.lease");
  EXPECT_EQ(ops_keys::ProbeKey("host-1", "abc"), ".dredge/check/probe-host-1-abc");
  EXPECT_TRUE(ops_keys::ProbeKey("h", "0").starts_with(ops_keys::kProbePrefix));
}

TEST(DbKeys, RetiredKeyKeepsTheManifestFileName) {
  EXPECT_EQ(dbkeys::RetiredKey("database_backups/manifests/backup_manifest_20250527_001234.json"),
            "database_backups/retired/backup_manifest_20250527_001234.json");
  EXPECT_EQ(dbkeys::RetiredKey("backup_manifest_20250527_001234.json"),
            "database_backups/retired/backup_manifest_20250527_001234.json");
}

}  // namespace
}  // namespace dredge
