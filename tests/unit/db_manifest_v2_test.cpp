// Version 2 manifests (several tables of one run, docs/formats/manifest.md) and the restore
// planner over them: what is written is what is read back, version 1 stays what a one-table run
// writes, and the plan picks tables, chains and foreign keys as the format says.
#include <gtest/gtest.h>

#include <functional>

#include <nlohmann/json.hpp>

#include "engine/db/restore_plan.h"
#include "engine/db/table_selection.h"
#include "formats/db_keys.h"
#include "formats/manifest.h"
#include "store/memory/memory_store.h"

namespace dredge {
namespace {

Manifest Entry(const std::string& table, const std::string& key_source) {
  Manifest m;
  m.id = "backup_manifest_20250528_001234";
  m.run = "20250528_001230";
  m.mode = "full";
  m.full_reason = "first run";
  m.table = "public." + table;
  m.table_oid = 100;
  m.snapshot = "1100:1100:";
  m.horizon = "1100";
  m.schema.schema_name = "public";
  m.schema.table = table;
  m.schema.columns = {{"id", "integer", true, std::nullopt, false, "", ""},
                      {"ref", "integer", false, std::nullopt, false, "", ""}};
  m.schema.key_source = key_source;
  if (key_source != kKeyNone) {
    m.schema.pk_name = table + "_pkey";
    m.schema.pk_columns = {"id"};
    m.live_keys = LiveKeySet::OfInts({{1, 3}});
    m.max_key = 3;
  } else {
    m.full_reason = "no key";
  }
  ChunkEntry c;
  c.key = dbkeys::ChunkKey(table == "a" ? 1 : table == "b" ? 2 : 3, 1748391150, false);
  c.number = table == "a" ? 1 : table == "b" ? 2 : 3;
  c.sha256 = "ab";
  c.size = 10;
  c.rows = 3;
  if (key_source != kKeyNone) c.key_min = {"1"}, c.key_max = {"3"};
  m.chunks.push_back(c);
  m.rows = 3;
  m.bytes = 10;
  return m;
}

RunManifest ThreeTables() {
  RunManifest r;
  r.version = 2;
  r.tables = {Entry("a", std::string(kKeyPrimary)), Entry("b", std::string(kKeyUniqueIndex)),
              Entry("c", std::string(kKeyNone))};
  r.tables[0].schema.foreign_keys = {
      {"public.a", "a_ref_fkey", "public.b", "FOREIGN KEY (ref) REFERENCES b(id)"}};
  r.tables[1].schema.foreign_keys = {
      {"public.b", "b_ref_fkey", "public.c", "FOREIGN KEY (ref) REFERENCES c(id)"}};
  r.tables[0].schema.comment = "articles, one per page";
  r.tables[0].schema.column_comments["ref"] = "the publication";
  r.tables[2].schema.partition_by = "RANGE (id)";
  r.tables[2].schema.partitions = {
      {"public.c_1", "FOR VALUES FROM (1) TO (10)", "first", "", ""},
      {"public.c_2", "FOR VALUES FROM (10) TO (20)", std::nullopt, "", "LIST (ref)"},
      {"public.c_2_x", "FOR VALUES IN (1)", std::nullopt, "public.c_2", ""}};
  r.not_backed_up = {{"public.v", "view", "skipped: a view holds no rows of its own"}};
  return r;
}

TEST(DbManifestV2, RoundTripsEveryTableAndTheRunMembers) {
  RunManifest r = ThreeTables();
  std::string text = RunManifestToJson(r);
  auto back = ParseRunManifest(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->version, 2);
  ASSERT_EQ(back->tables.size(), 3u);
  EXPECT_EQ(back->tables[1].schema.key_source, kKeyUniqueIndex);
  EXPECT_EQ(back->tables[1].schema.pk_name, "b_pkey");
  EXPECT_TRUE(back->tables[2].schema.Keyless());
  EXPECT_EQ(back->tables[2].live_keys.count(), 0u);
  EXPECT_EQ(back->tables[0].schema.foreign_keys.at(0).references, "public.b");
  EXPECT_EQ(back->tables[0].schema.comment, "articles, one per page");
  EXPECT_EQ(back->tables[0].schema.column_comments.at("ref"), "the publication");
  EXPECT_EQ(back->tables[2].schema.partitions.at(0).comment, "first");
  // A partition partitioned itself, and one of its partitions.
  EXPECT_EQ(back->tables[2].schema.partitions.at(1).partition_by, "LIST (ref)");
  EXPECT_EQ(back->tables[2].schema.partitions.at(1).of, "");
  EXPECT_EQ(back->tables[2].schema.partitions.at(2).of, "public.c_2");
  EXPECT_EQ(back->tables[2].schema.partitions.at(2).partition_by, "");
  EXPECT_EQ(back->not_backed_up.at(0).kind, "view");
  EXPECT_EQ(back->tables[2].horizon, "1100");  // run members reach every entry
  EXPECT_EQ(back->rows(), 9u);
  EXPECT_EQ(RunManifestToJson(*back), text);
  // A reader of version 1 refuses it by name instead of reading one table of it.
  EXPECT_TRUE(ParseManifest(text).status().Is(ErrorKind::kCorrupt));
}

TEST(DbManifestV2, OneTableWithAPrimaryKeyStaysVersion1) {
  RunManifest r;
  r.tables = {Entry("a", std::string(kKeyPrimary))};
  EXPECT_TRUE(FitsVersion1(r.tables));
  r.version = 1;
  EXPECT_EQ(RunManifestToJson(r), ManifestToJson(r.tables[0]));
  auto back = ParseRunManifest(RunManifestToJson(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->version, 1);
  EXPECT_EQ(back->tables.at(0).table, "public.a");
  EXPECT_FALSE(FitsVersion1({Entry("b", std::string(kKeyUniqueIndex))}));
  EXPECT_FALSE(FitsVersion1({Entry("c", std::string(kKeyNone))}));
  EXPECT_FALSE(FitsVersion1(ThreeTables().tables));
}

TEST(DbManifestV2, RefusesWhatTheFormatForbids) {
  auto spoiled = [](const std::function<void(RunManifest&)>& spoil) {
    RunManifest r = ThreeTables();
    spoil(r);
    return ParseRunManifest(RunManifestToJson(r)).status();
  };
  EXPECT_TRUE(spoiled([](RunManifest&) {}).ok());
  EXPECT_TRUE(spoiled([](RunManifest& r) {
                r.tables[2].mode = "incremental";
              }).Is(ErrorKind::kCorrupt));  // a keyless table is always read whole
  EXPECT_TRUE(spoiled([](RunManifest& r) {
                r.tables[0].schema.key_source = "guess";
              }).Is(ErrorKind::kCorrupt));
  EXPECT_TRUE(
      spoiled([](RunManifest& r) { r.tables[0].mode = "partial"; }).Is(ErrorKind::kCorrupt));
  EXPECT_TRUE(
      spoiled([](RunManifest& r) { r.tables[0].after = "1 OR 1=1"; }).Is(ErrorKind::kCorrupt));
  // A foreign key of a table the run does not list.
  auto j = nlohmann::json::parse(RunManifestToJson(ThreeTables()));
  j["foreign_keys"][0]["table"] = "public.x";
  EXPECT_TRUE(ParseRunManifest(j.dump()).status().Is(ErrorKind::kCorrupt));
}

// The planner over a store holding one version 2 manifest.
class DbRestorePlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RunManifest r = ThreeTables();
    ASSERT_TRUE(PutString(store_, key_, RunManifestToJson(r)).ok());
    auto listing = ListPrefix(store_);
    ASSERT_TRUE(listing.ok());
    listing_ = *listing;
    auto point = LoadManifest(store_, key_);
    ASSERT_TRUE(point.ok()) << point.status().ToString();
    point_ = *point;
  }
  Result<RestorePlan> Plan(const DbRestoreOptions& o) {
    return PlanRestore(store_, listing_, point_, o);
  }
  std::vector<std::string> Tables(const RestorePlan& p) {
    std::vector<std::string> out;
    for (const auto& t : p.tables) out.push_back(t.entry().table);
    return out;
  }
  MemoryStore store_;
  std::string key_ = "database_backups/manifests/backup_manifest_20250528_001234.json";
  PrefixListing listing_;
  RunManifest point_;
};

TEST_F(DbRestorePlanTest, EveryTableAndEveryForeignKeyByDefault) {
  auto p = Plan({});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(Tables(*p), (std::vector<std::string>{"public.a", "public.b", "public.c"}));
  EXPECT_EQ(p->foreign_keys.size(), 2u);
  EXPECT_TRUE(p->left_out.empty());
  EXPECT_EQ(p->tables[2].work.size(), 1u);  // the keyless table reads its one full chunk
}

TEST_F(DbRestorePlanTest, SubsetLeavesOutForeignKeysToTablesNotRestored) {
  DbRestoreOptions o;
  o.tables = {"a"};
  auto p = Plan(o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(Tables(*p), (std::vector<std::string>{"public.a"}));
  EXPECT_TRUE(p->foreign_keys.empty());
  ASSERT_EQ(p->left_out.size(), 1u);
  EXPECT_NE(p->left_out[0].find("a_ref_fkey"), std::string::npos) << p->left_out[0];
  EXPECT_NE(p->left_out[0].find("--with-dependencies"), std::string::npos);
}

TEST_F(DbRestorePlanTest, WithDependenciesPullsReferencedTablesInTransitively) {
  DbRestoreOptions o;
  o.tables = {"public.a"};
  o.with_dependencies = true;
  auto p = Plan(o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(Tables(*p), (std::vector<std::string>{"public.a", "public.b", "public.c"}));
  EXPECT_EQ(p->foreign_keys.size(), 2u);
}

TEST_F(DbRestorePlanTest, RefusesCombinationsThatCannotMakeSense) {
  DbRestoreOptions o;
  o.into = "copy";
  auto p = Plan(o);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(p.status().Is(ErrorKind::kUsage));
  EXPECT_NE(p.status().message().find("--into names one table"), std::string::npos);
  o.tables = {"a"};
  EXPECT_TRUE(Plan(o).ok());
  o.with_dependencies = true;
  EXPECT_TRUE(Plan(o).status().Is(ErrorKind::kUsage));

  DbRestoreOptions missing;
  missing.tables = {"nope"};
  auto q = Plan(missing);
  EXPECT_TRUE(q.status().Is(ErrorKind::kUsage));
  EXPECT_NE(q.status().message().find("public.a"), std::string::npos) << q.status().ToString();

  DbRestoreOptions ids;  // --ids needs a single integer key: the keyless table has none
  ids.ids = std::vector<IntRange>{{1, 2}};
  auto r = Plan(ids);
  EXPECT_TRUE(r.status().Is(ErrorKind::kUsage)) << r.status().ToString();
  EXPECT_NE(r.status().message().find("public.c"), std::string::npos) << r.status().ToString();
}

TEST(DbTableSelection, ExcludeGlobsMatchQualifiedOrBareNames) {
  EXPECT_TRUE(MatchesAnyGlob({"tmp_*"}, "public.tmp_load"));
  EXPECT_TRUE(MatchesAnyGlob({"public.log*"}, "public.log_2024"));
  EXPECT_FALSE(MatchesAnyGlob({"public.log*"}, "audit.log_2024"));
  EXPECT_FALSE(MatchesAnyGlob({}, "public.articles"));
}

}  // namespace
}  // namespace dredge
