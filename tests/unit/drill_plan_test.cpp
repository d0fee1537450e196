// The drill's planners (engine/drill/files_drill_plan.h, engine/drill/db_drill_plan.h) on plain
// values, and their I/O halves on MemoryStore: the files sample is bounded by count and by bytes,
// is the same for the same seed in any order and another for another seed, passes over files
// larger than the byte bound, and names where each file's bytes are (preserved content too); an
// empty snapshot gives an empty plan; loading a plan writes nothing. The db plan picks the
// manifest's tables (one, several, --table), counts the rows each restore must load (keyless
// tables by their chunks, zero live keys as zero) and names a scratch schema a test can pin.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/hash.h"
#include "engine/drill/db_drill.h"
#include "engine/drill/db_drill_plan.h"
#include "engine/drill/files_drill.h"
#include "engine/drill/files_drill_plan.h"
#include "engine/drill/sample.h"
#include "engine/files/backup.h"
#include "engine/files/snapshot_select.h"
#include "files_test_support.h"
#include "formats/db_keys.h"
#include "formats/file_keys.h"
#include "prune_test_support.h"
#include "store/memory/memory_store.h"

namespace dredge {
namespace {

using testing::ScratchDir;
using testing::WriteFile;

// `n` entries "dir/file_<i>" of `size` bytes each, with distinct made-up MD5s.
std::vector<SnapshotEntry> Entries(int n, uint64_t size) {
  std::vector<SnapshotEntry> out;
  for (int i = 0; i < n; ++i) {
    SnapshotEntry e;
    e.path = "dir/file_" + std::to_string(i);
    e.size = size;
    e.mtime_ns = 1600000000000000000LL + i;
    char md5[33];
    std::snprintf(md5, sizeof md5, "%032x", static_cast<unsigned>(i + 1));
    e.md5 = md5;
    out.push_back(e);
  }
  return out;
}

FilesDrillOptions Bounds(uint64_t count, uint64_t bytes, uint64_t seed = 7) {
  FilesDrillOptions o;
  o.sample_count = count;
  o.sample_bytes = bytes;
  o.seed = seed;
  return o;
}

std::vector<std::string> PathsOf(const FilesDrillPlan& p) {
  std::vector<std::string> out;
  for (const auto& f : p.sample) out.push_back(f.entry.path);
  return out;
}

TEST(FilesDrillPlan, TheSampleIsBoundedByCountAndSortedByPath) {
  FilesDrillPlan p = PlanFilesDrill("snap", Entries(50, 10), Bounds(8, 1 << 20));
  EXPECT_EQ(p.snapshot, "snap");
  EXPECT_EQ(p.snapshot_files, 50u);
  EXPECT_EQ(p.snapshot_bytes, 500u);
  ASSERT_EQ(p.sample.size(), 8u);
  EXPECT_EQ(p.sample_bytes, 80u);
  const std::vector<std::string> paths = PathsOf(p);
  EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end()));
}

TEST(FilesDrillPlan, TheSampleIsBoundedByBytes) {
  FilesDrillPlan p = PlanFilesDrill("snap", Entries(50, 100), Bounds(20, 350));
  EXPECT_EQ(p.sample.size(), 3u);
  EXPECT_EQ(p.sample_bytes, 300u);
}

TEST(FilesDrillPlan, TheSameSeedPicksTheSameSampleInAnyOrder) {
  auto entries = Entries(200, 10);
  FilesDrillPlan a = PlanFilesDrill("snap", entries, Bounds(10, 1 << 20, 42));
  std::reverse(entries.begin(), entries.end());
  FilesDrillPlan b = PlanFilesDrill("snap", entries, Bounds(10, 1 << 20, 42));
  EXPECT_EQ(PathsOf(a), PathsOf(b));
  // and it is the sampler's choice (engine/drill/sample.h), as before plans existed
  Sampler<std::string> s(42, 10, 1 << 20);
  for (const auto& e : entries) s.Offer(e.path, e.size, e.path);
  std::vector<std::string> direct = s.Take();
  EXPECT_EQ(PathsOf(a), direct);
}

TEST(FilesDrillPlan, AnotherSeedPicksAnotherSample) {
  auto entries = Entries(200, 10);
  FilesDrillPlan a = PlanFilesDrill("snap", entries, Bounds(10, 1 << 20, 42));
  FilesDrillPlan b = PlanFilesDrill("snap", entries, Bounds(10, 1 << 20, 43));
  EXPECT_NE(PathsOf(a), PathsOf(b));
  EXPECT_EQ(a.seed, 42u);
  EXPECT_EQ(b.seed, 43u);
}

TEST(FilesDrillPlan, AnEmptySnapshotGivesAnEmptySample) {
  FilesDrillPlan p = PlanFilesDrill("snap_empty", {}, Bounds(20, 1 << 20));
  EXPECT_EQ(p.snapshot, "snap_empty");
  EXPECT_EQ(p.snapshot_files, 0u);
  EXPECT_EQ(p.snapshot_bytes, 0u);
  EXPECT_TRUE(p.sample.empty());
  EXPECT_EQ(p.sample_bytes, 0u);
}

TEST(FilesDrillPlan, ASnapshotSmallerThanTheSampleIsSampledWhole) {
  FilesDrillPlan p = PlanFilesDrill("snap", Entries(5, 10), Bounds(20, 1 << 20));
  EXPECT_EQ(PathsOf(p), (std::vector<std::string>{"dir/file_0", "dir/file_1", "dir/file_2",
                                                  "dir/file_3", "dir/file_4"}));
  EXPECT_EQ(p.sample_bytes, 50u);
}

TEST(FilesDrillPlan, FilesLargerThanTheByteBoundArePassedOver) {
  auto entries = Entries(6, 10);
  entries[2].size = 5000;
  entries[4].size = 1001;
  FilesDrillPlan p = PlanFilesDrill("snap", entries, Bounds(20, 1000));
  EXPECT_EQ(PathsOf(p),
            (std::vector<std::string>{"dir/file_0", "dir/file_1", "dir/file_3", "dir/file_5"}));
  EXPECT_EQ(p.snapshot_bytes, 6041u);  // the totals still count them
  FilesDrillPlan none = PlanFilesDrill("snap", Entries(4, 2000), Bounds(20, 1000));
  EXPECT_TRUE(none.sample.empty());
  EXPECT_EQ(none.snapshot_files, 4u);
}

TEST(FilesDrillPlan, EachFileNamesWhereItsBytesAreAndThePlanCarriesTheOptions) {
  auto entries = Entries(3, 10);
  entries[1].version_id = "v-17";
  FilesDrillOptions o = Bounds(20, 1 << 20, 5);
  o.source = "/data/src";
  o.scratch_parent = "/var/tmp";
  o.keep = true;
  FilesDrillPlan p = PlanFilesDrill("snap", entries, o);
  ASSERT_EQ(p.sample.size(), 3u);
  EXPECT_EQ(p.sample[1].key, file_keys::DataKey("dir/file_1"));
  EXPECT_EQ(p.sample[1].content_key, file_keys::ContentKey(entries[1].md5));
  EXPECT_EQ(p.sample[1].entry.version_id, "v-17");
  EXPECT_EQ(p.sample[1].entry.md5, entries[1].md5);
  EXPECT_TRUE(p.CompareSource());
  EXPECT_EQ(p.source, "/data/src");
  EXPECT_EQ(p.scratch_parent, "/var/tmp");
  EXPECT_TRUE(p.keep);
  EXPECT_FALSE(PlanFilesDrill("snap", entries, Bounds(20, 1 << 20)).CompareSource());
}

TEST(FilesDrillPlan, ThePlannerStreamingEntriesGivesThePlanOfTheVector) {
  auto entries = Entries(100, 33);
  FilesDrillPlanner planner("snap", Bounds(9, 200, 11));
  for (const auto& e : entries) planner.Offer(e);
  FilesDrillPlan streamed = planner.Finish();
  FilesDrillPlan whole = PlanFilesDrill("snap", entries, Bounds(9, 200, 11));
  EXPECT_EQ(PathsOf(streamed), PathsOf(whole));
  EXPECT_EQ(streamed.sample_bytes, whole.sample_bytes);
  EXPECT_EQ(streamed.snapshot_bytes, 3300u);
}

// A files backup on MemoryStore, for the planner's I/O half and the executor.
class FilesDrillPlanStore : public ::testing::Test {
 protected:
  void SetUp() override {
    auto idx = StateIndex::Open(dir_ / "state.sqlite", "memory://drill-plan");
    ASSERT_TRUE(idx.ok());
    index_ = std::move(*idx);
    for (int i = 0; i < 6; ++i)
      WriteFile(dir_ / ("src/f" + std::to_string(i)),
                std::string(50 + i, static_cast<char>('a' + i)), 1600000000 + i);
    std::filesystem::create_directories(dir_ / "scratch");
  }
  std::string Backup() {
    BackupOptions b;
    b.source = dir_ / "src";
    b.force = true;
    b.workers = 2;
    auto r = RunFilesBackup(*store_, *index_, b);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *SelectSnapshot(*store_, {});
  }
  FilesDrillOptions Options() {
    FilesDrillOptions o = Bounds(100, 1 << 20, 3);
    o.scratch_parent = dir_ / "scratch";
    o.workers = 2;
    return o;
  }

  ScratchDir dir_;
  std::shared_ptr<MemoryStore> store_ = std::make_shared<MemoryStore>("drill-plan");
  std::unique_ptr<StateIndex> index_;
};

TEST_F(FilesDrillPlanStore, LoadingAPlanReadsTheNewestSnapshotAndWritesNothing) {
  const std::string snap = Backup();
  const auto before = testing::KeysOf(*store_);
  testing::CountingStore counting(store_);
  auto p = LoadFilesDrillPlan(counting, Options());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->snapshot, snap);
  EXPECT_EQ(p->snapshot_files, 6u);
  EXPECT_EQ(p->sample.size(), 6u);
  EXPECT_EQ(p->sample_bytes, 50u + 51 + 52 + 53 + 54 + 55);
  EXPECT_EQ(counting.puts + counting.removes + counting.copies, 0);
  EXPECT_EQ(testing::KeysOf(*store_), before);
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "scratch"));
}

TEST_F(FilesDrillPlanStore, NoSnapshotIsNotFound) {
  auto p = LoadFilesDrillPlan(*store_, Options());
  EXPECT_TRUE(p.status().Is(ErrorKind::kNotFound)) << p.status().ToString();
}

TEST_F(FilesDrillPlanStore, PreservedContentIsPlannedAndRestoredFromItsContentKey) {
  const std::string first = Backup();
  WriteFile(dir_ / "src/f2", "rewritten after the first backup", 1700000000);
  Backup();
  ASSERT_EQ(testing::SnapshotIdsOf(*store_).size(), 2u);
  FilesDrillOptions o = Options();
  o.snapshot.text = first;
  auto p = LoadFilesDrillPlan(*store_, o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto f2 = std::find_if(p->sample.begin(), p->sample.end(),
                         [](const DrillSampleFile& f) { return f.entry.path == "f2"; });
  ASSERT_NE(f2, p->sample.end());
  EXPECT_EQ(f2->entry.md5, Md5Hex(std::string(52, 'c')));
  EXPECT_TRUE(store_->Stat(f2->content_key).ok()) << "the old bytes were preserved";
  auto at_key = GetString(*store_, f2->key);
  ASSERT_TRUE(at_key.ok());
  EXPECT_EQ(*at_key, "rewritten after the first backup");
  FilesDrillReport r = ExecuteFilesDrill(*store_, *p, o);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.matched, 6u);
  EXPECT_EQ(r.snapshot, first);
}

TEST_F(FilesDrillPlanStore, AnEmptySampleIsSkippedNotFailed) {
  Backup();
  FilesDrillOptions o = Options();
  o.sample_bytes = 10;  // every file is larger
  auto p = LoadFilesDrillPlan(*store_, o);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->sample.empty());
  FilesDrillReport r = ExecuteFilesDrill(*store_, *p, o);
  EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_FALSE(r.checks.empty());
  EXPECT_EQ(r.checks[0].outcome, DrillCheck::Outcome::kSkip);
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "scratch"));
}

// A manifest entry for `table` (qualified) with integer keys `live` (inclusive ranges).
Manifest Keyed(const std::string& table, std::vector<IntRange> live) {
  Manifest m;
  m.table = table;
  m.schema.schema_name = table.substr(0, table.find('.'));
  m.schema.table = table.substr(table.find('.') + 1);
  m.schema.columns = {{"id", "bigint", true, std::nullopt, false, "", ""}};
  m.schema.pk_columns = {"id"};
  m.live_keys = LiveKeySet::OfInts(std::move(live));
  return m;
}

RunManifest RunOf(std::vector<Manifest> tables) {
  RunManifest r;
  r.key = "database_backups/manifests/backup_manifest_20250528_000000.json";
  r.tables = std::move(tables);
  return r;
}

TEST(DbDrillPlan, OneTableRestoresItsLiveKeysIntoThePinnedScratchSchema) {
  DbDrillOptions o;
  o.sample_rows = 300;
  o.seed = 9;
  auto p = PlanDbDrill(RunOf({Keyed("public.articles", {{1, 40}, {45, 54}})}), o, 0x2a);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->manifest, "database_backups/manifests/backup_manifest_20250528_000000.json");
  EXPECT_EQ(p->scratch_schema, "dredge_drill_0000002a");
  EXPECT_TRUE(p->scratch_is_source);
  ASSERT_EQ(p->tables.size(), 1u);
  EXPECT_EQ(p->tables[0].expected_rows, 50u);
  EXPECT_EQ(p->tables[0].into, "dredge_drill_0000002a.articles");
  EXPECT_EQ(p->tables[0].compare_with, "public.articles");
  EXPECT_FALSE(p->tables[0].keyless);
  EXPECT_EQ(p->ExpectedRows(), 50u);
  EXPECT_EQ(p->sample_rows, 300u);
  EXPECT_EQ(p->seed, 9u);
}

TEST(DbDrillPlan, TheScratchSchemaNameComesFromTheInjectedRandom) {
  EXPECT_EQ(ScratchSchemaName(0), "dredge_drill_00000000");
  EXPECT_EQ(ScratchSchemaName(0xdeadbeefcafe1234ull), "dredge_drill_cafe1234");
  DbDrillOptions o;
  o.scratch = PgOptions{};
  auto a = PlanDbDrill(RunOf({Keyed("public.t", {{1, 2}})}), o, 77);
  auto b = PlanDbDrill(RunOf({Keyed("public.t", {{1, 2}})}), o, 78);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->scratch_schema, b->scratch_schema);
  EXPECT_FALSE(a->scratch_is_source);
}

TEST(DbDrillPlan, SeveralTablesAllOrTheOneTableNames) {
  RunManifest run = RunOf({Keyed("app.users", {{1, 3}}), Keyed("public.articles", {{1, 10}}),
                           Keyed("public.log", {{5, 5}})});
  DbDrillOptions o;
  auto all = PlanDbDrill(run, o, 1);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->tables.size(), 3u);
  EXPECT_EQ(all->tables[0].into, "dredge_drill_00000001.users");
  EXPECT_EQ(all->tables[2].compare_with, "public.log");
  EXPECT_EQ(all->ExpectedRows(), 14u);
  o.table = "articles";  // a bare name is the public one
  auto one = PlanDbDrill(run, o, 1);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ(one->tables.size(), 1u);
  EXPECT_EQ(one->tables[0].entry.table, "public.articles");
  EXPECT_EQ(one->ExpectedRows(), 10u);
  o.table = "app.users";
  auto qualified = PlanDbDrill(run, o, 1);
  ASSERT_TRUE(qualified.ok());
  EXPECT_EQ(qualified->tables[0].entry.table, "app.users");
  o.table = "users";  // not public
  auto missing = PlanDbDrill(run, o, 1);
  EXPECT_TRUE(missing.status().Is(ErrorKind::kUsage)) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("holds no such table"), std::string::npos);
}

TEST(DbDrillPlan, AOneTableManifestIsComparedWithTheTableNamed) {
  DbDrillOptions o;
  o.table = "public.articles_live";
  auto p = PlanDbDrill(RunOf({Keyed("public.articles", {{1, 5}})}), o, 1);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->tables.size(), 1u);
  EXPECT_EQ(p->tables[0].compare_with, "public.articles_live");
  EXPECT_EQ(p->tables[0].into, "dredge_drill_00000001.articles");
}

TEST(DbDrillPlan, AKeylessTableExpectsTheRowsItsChunksHold) {
  RunManifest run = testing::KeylessRun(1748390000, 1);
  run.key = "k";
  run.tables[0].chunks.push_back(run.tables[0].chunks[0]);
  run.tables[0].chunks[1].rows = 41;
  auto p = PlanDbDrill(run, DbDrillOptions{}, 1);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->tables.size(), 1u);
  EXPECT_TRUE(p->tables[0].keyless);
  EXPECT_EQ(p->tables[0].expected_rows, 42u);
}

TEST(DbDrillPlan, ZeroLiveKeysIsAPlanToRestoreNoRows) {
  auto p = PlanDbDrill(RunOf({Keyed("public.empty", {})}), DbDrillOptions{}, 1);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->tables[0].expected_rows, 0u);
  EXPECT_EQ(p->ExpectedRows(), 0u);
}

TEST(DbDrillPlan, AManifestWithoutTablesIsCorrupt) {
  auto p = PlanDbDrill(RunOf({}), DbDrillOptions{}, 1);
  EXPECT_TRUE(p.status().Is(ErrorKind::kCorrupt)) << p.status().ToString();
}

TEST(DbDrillPlanStore, TheNewestManifestIsPlannedWithoutWriting) {
  auto mem = std::make_shared<MemoryStore>("drill-plan-db");
  for (int i = 0; i < 3; ++i) {
    const int64_t t = 1748390000 + 60 * i;
    RunManifest r = testing::KeylessRun(t, i + 1);
    ASSERT_TRUE(PutString(*mem, dbkeys::ManifestKey(t), RunManifestToJson(r)).ok());
  }
  const auto before = testing::KeysOf(*mem);
  auto p = LoadDbDrillPlan(*mem, DbDrillOptions{}, 5);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->manifest, dbkeys::ManifestKey(1748390000 + 120));
  EXPECT_EQ(p->tables[0].expected_rows, 1u);
  EXPECT_EQ(testing::KeysOf(*mem), before);
}

TEST(DbDrillPlanStore, NoManifestIsNotFound) {
  MemoryStore mem("drill-plan-none");
  auto p = LoadDbDrillPlan(mem, DbDrillOptions{}, 5);
  EXPECT_TRUE(p.status().Is(ErrorKind::kNotFound)) << p.status().ToString();
}

}  // namespace
}  // namespace dredge
