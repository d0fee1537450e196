// The database-tier prune plan (engine/db/prune_plan.h) and its executor on MemoryStore, with
// keyless tables (every run full, so chunks need not be read): the plan only reads; dropped
// manifests and their chunks go, the highest-numbered chunk stays; on a versioned store every
// version goes by id; a manifest a lock holds stays a restore point with its chunks; a locked
// chunk is kept and reported, never tried, and goes once the clock passes its date.
#include <gtest/gtest.h>

#include <set>

#include "common/time_util.h"
#include "engine/db/prune.h"
#include "engine/db/prune_plan.h"
#include "formats/db_keys.h"
#include "formats/manifest.h"
#include "prune_test_support.h"
#include "store/memory/memory_store.h"
#include "store/object_versions.h"

namespace dredge {
namespace {

constexpr int64_t kT0 = 1748390000;  // 2025-05-28

int64_t Now() {
  return NowUnixNanos() / 1000000000LL;
}

class DbPrunePlanTest : public ::testing::Test {
 protected:
  void Open(MemoryStoreOptions mo) { mem_ = std::make_shared<MemoryStore>("db-prune-plan", mo); }

  // Run `i` (0-based): one keyless table, one chunk numbered i+1, written at kT0 + 60 i.
  std::string Run(int i, std::optional<Retention> lock = std::nullopt) {
    int64_t t = kT0 + 60 * i;
    RunManifest r = testing::KeylessRun(t, i + 1);
    PutOptions po;
    po.retention = lock;
    EXPECT_TRUE(PutString(*mem_, r.tables[0].chunks[0].key, "0123456789", po).ok());
    EXPECT_TRUE(PutString(*mem_, dbkeys::ManifestKey(t), RunManifestToJson(r), po).ok());
    return r.id;
  }
  std::string ChunkOf(int i) { return dbkeys::ChunkKey(i + 1, kT0 + 60 * i - 5, false); }
  std::set<std::string> Keys() { return testing::KeysOf(*mem_); }
  size_t VersionCount() {
    size_t n = 0;
    EXPECT_TRUE(ListVersions(*mem_, "", [&](const VersionInfo&) {
                  ++n;
                  return Status::Ok();
                }).ok());
    return n;
  }
  Result<DbPrunePlan> Plan(size_t keep, int64_t now_s = Now()) {
    return PlanDbPrune(*mem_, KeepLastManifests(keep), now_s);
  }

  std::shared_ptr<MemoryStore> mem_;
};

TEST_F(DbPrunePlanTest, DroppedManifestsAndTheirChunksGoTheHighestChunkStays) {
  Open({});
  auto a = Run(0), b = Run(1), c = Run(2);
  auto plan = Plan(1);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->kept, std::vector<std::string>{c});
  EXPECT_EQ(plan->deleted_manifests, (std::vector<std::string>{a, b}));
  EXPECT_EQ(plan->deleted_chunks, (std::vector<std::string>{ChunkOf(0), ChunkOf(1)}));
  EXPECT_EQ(plan->deleted_chunk_bytes, 20u);
  for (const auto& t : plan->chunks.remove) EXPECT_TRUE(t.version_id.empty());
  EXPECT_EQ(plan->manifests.remove.size(), 2u);
  EXPECT_EQ(plan->Locks().objects, 0u);
}

TEST_F(DbPrunePlanTest, PlanningWritesNothing) {
  Open({.versioned = true, .object_lock = false});
  Run(0), Run(1), Run(2);
  size_t before = VersionCount();
  auto plan = Plan(1);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(VersionCount(), before);
  auto dry = PruneDb(*mem_, KeepLastManifests(1), /*dry_run=*/true);
  ASSERT_TRUE(dry.ok());
  EXPECT_TRUE(dry->dry_run);
  EXPECT_EQ(VersionCount(), before);
}

TEST_F(DbPrunePlanTest, EmptyStorePlansNothing) {
  Open({});
  auto plan = Plan(1);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->kept.empty());
  EXPECT_TRUE(plan->chunks.remove.empty());
}

TEST_F(DbPrunePlanTest, VersionedStoreRemovesEveryVersionById) {
  Open({.versioned = true, .object_lock = false});
  auto a = Run(0), b = Run(1);
  auto plan = Plan(1);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->versioned);
  for (const auto& t : plan->chunks.remove) EXPECT_FALSE(t.version_id.empty());
  auto r = ExecuteDbPrune(*mem_, *plan);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->deleted_manifests, std::vector<std::string>{a});
  EXPECT_EQ(Keys(), (std::set<std::string>{dbkeys::ManifestKey(kT0 + 60), ChunkOf(1)}));
  EXPECT_EQ(VersionCount(), 2u);  // no delete markers left behind
}

TEST_F(DbPrunePlanTest, ALockedManifestStaysARestorePointWithItsChunks) {
  Open({.versioned = true, .object_lock = true});
  auto a = Run(0, Retention{"COMPLIANCE", Now() + 600});
  auto b = Run(1);
  auto c = Run(2);
  auto plan = Plan(1);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->kept, (std::vector<std::string>{a, c}));
  EXPECT_EQ(plan->locked_ids, std::vector<std::string>{a});
  ASSERT_EQ(plan->locked_manifests.size(), 2u);
  EXPECT_EQ(plan->locked_manifests[0].mode, "COMPLIANCE");
  EXPECT_EQ(plan->deleted_manifests, std::vector<std::string>{b});
  EXPECT_EQ(plan->deleted_chunks, std::vector<std::string>{ChunkOf(1)});
  auto r = ExecuteDbPrune(*mem_, *plan);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->locked_manifests, std::vector<std::string>{a});
  EXPECT_EQ(r->locked.objects, 2u);  // its document and its chunk
  EXPECT_EQ(Keys().count(ChunkOf(0)), 1u);
  EXPECT_EQ(Keys().count(dbkeys::ManifestKey(kT0)), 1u);
}

TEST_F(DbPrunePlanTest, ALockedChunkKeepsItsManifestUntilTheLockEnds) {
  Open({.versioned = true, .object_lock = true});
  auto a = Run(0);
  auto b = Run(1);
  PutOptions locked;
  locked.retention = Retention{"GOVERNANCE", Now() + 600};
  ASSERT_TRUE(PutString(*mem_, ChunkOf(0), "0123456789", locked).ok());
  size_t before = VersionCount();
  auto plan = Plan(1);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->kept, (std::vector<std::string>{a, b}));
  EXPECT_EQ(plan->locked_ids, std::vector<std::string>{a});
  EXPECT_TRUE(plan->deleted_manifests.empty());
  EXPECT_TRUE(plan->deleted_chunks.empty());
  EXPECT_TRUE(plan->chunks.remove.empty());
  auto r = ExecuteDbPrune(*mem_, *plan);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->locked.objects, 1u);
  EXPECT_EQ(VersionCount(), before);
  // The clock past the lock: the manifest and both versions of its chunk are planned away.
  auto later = Plan(1, Now() + 1200);
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(later->deleted_manifests, std::vector<std::string>{a});
  EXPECT_EQ(later->deleted_chunks, std::vector<std::string>{ChunkOf(0)});
  EXPECT_EQ(later->chunks.remove.size(), 2u);
  EXPECT_EQ(later->Locks().objects, 0u);
}

TEST_F(DbPrunePlanTest, DryRunReportIsTheExecutedReport) {
  Open({.versioned = true, .object_lock = false});
  Run(0), Run(1), Run(2);
  auto dry = PruneDb(*mem_, KeepLastManifests(1), true);
  auto real = PruneDb(*mem_, KeepLastManifests(1), false);
  ASSERT_TRUE(dry.ok() && real.ok());
  EXPECT_EQ(dry->kept, real->kept);
  EXPECT_EQ(dry->deleted_manifests, real->deleted_manifests);
  EXPECT_EQ(dry->deleted_chunks, real->deleted_chunks);
  EXPECT_EQ(dry->deleted_chunk_bytes, real->deleted_chunk_bytes);
}

TEST(PruneLockLine, NamesCountAndDates) {
  EXPECT_EQ(LockLine(SummarizeLocks({})), "");
  std::vector<LockedVersion> l = {{"a", "1", 10, "chunk", "GOVERNANCE", 1767225600},
                                  {"b", "2", 20, "chunk", "GOVERNANCE", 1767312000}};
  EXPECT_EQ(LockLine(SummarizeLocks(l)),
            "kept 2 objects (30 B) locked until 2026-01-02T00:00:00Z (the first lock ends "
            "2026-01-01T00:00:00Z); a prune after that date removes them");
  l.pop_back();
  EXPECT_EQ(LockLine(SummarizeLocks(l)),
            "kept 1 object (10 B) locked until 2026-01-01T00:00:00Z; a prune after that date "
            "removes it");
}

}  // namespace
}  // namespace dredge
