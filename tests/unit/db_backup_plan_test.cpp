// The plan of a `backup db` run (engine/db/backup_plan.h) on plain values, no PostgreSQL: each
// table's mode and why (first run, table added, replaced, another cluster, schema changed, no
// key), the cursor an incremental read continues from (the previous horizon and max key), the
// first chunk number after the destination's highest, the connections for N tables and W
// workers, the manifest version and name, the run's members; and the previous run read from a
// MemoryStore by the same functions a run uses (engine/db/manifest_store.h).
#include <gtest/gtest.h>

#include "common/time_util.h"
#include "engine/db/backup_plan.h"
#include "engine/db/manifest_store.h"
#include "formats/db_keys.h"
#include "formats/manifest.h"
#include "store/memory/memory_store.h"

namespace dredge {
namespace {

constexpr int64_t kPrevSecs = 1764950000;  // the previous run's manifest name (2025-12-05)
constexpr int64_t kStart = kPrevSecs + 3600;

SchemaColumn Col(const std::string& name, const std::string& type, bool not_null = false) {
  SchemaColumn c;
  c.name = name;
  c.type = type;
  c.not_null = not_null;
  return c;
}

TableSchema Schema(const std::string& table, std::vector<SchemaColumn> columns = {},
                   std::vector<std::string> key = {"id"}) {
  TableSchema s;
  s.schema_name = "public";
  s.table = table;
  s.columns = columns.empty()
                  ? std::vector<SchemaColumn>{Col("id", "bigint", true), Col("body", "text")}
                  : std::move(columns);
  s.pk_name = table + "_pkey";
  s.pk_columns = std::move(key);
  if (s.pk_columns.empty()) s.key_source = std::string(kKeyNone);
  return s;
}

TableSchema Keyless(const std::string& table) {
  return Schema(table, {Col("line", "text")}, {});
}

DbSnapshotFacts Snap(const std::string& xmin = "2000", const std::string& xmax = "2005",
                     std::optional<std::string> system_identifier = "7300000000000000001") {
  DbSnapshotFacts s;
  s.text = xmin + ":" + xmax + ":";
  s.xmin = xmin;
  s.xmax = xmax;
  s.at = "2025-12-05T11:53:20.000000Z";
  s.database = "news";
  s.server_version = 170002;
  s.system_identifier = std::move(system_identifier);
  return s;
}

// The previous run's entry for a table with `schema` and `oid`.
Manifest PrevEntry(const TableSchema& schema, int64_t oid, std::optional<int64_t> max_key = 500) {
  Manifest m;
  m.table = schema.QualifiedName();
  m.table_oid = oid;
  m.schema = schema;
  m.run = FormatCompactUtc(kPrevSecs - 5);
  m.snapshot = "1500:1502:1500";
  m.horizon = "1500";
  m.system_identifier = "7300000000000000001";
  m.max_key = max_key;
  return m;
}

RunManifest PrevRun(std::vector<Manifest> entries) {
  RunManifest r;
  r.key = dbkeys::ManifestKey(kPrevSecs);
  r.id = *dbkeys::ManifestIdOfKey(r.key);
  r.horizon = "1500";
  r.version = FitsVersion1(entries) ? 1 : 2;
  for (auto& e : entries) {
    e.id = r.id;
    e.key = r.key;
    e.version = r.version;
  }
  r.tables = std::move(entries);
  return r;
}

class DbBackupPlanTest : public ::testing::Test {
 protected:
  // Adds a table (oid, schema) to the run's selection.
  void Add(int64_t oid, TableSchema schema) {
    TableRef ref;
    ref.oid = oid;
    ref.schema_name = schema.schema_name;
    ref.table = schema.table;
    ref.quoted = "\"" + schema.schema_name + "\".\"" + schema.table + "\"";
    in_.tables.tables.push_back(ref);
    in_.schemas.push_back(std::move(schema));
  }
  const PlannedTable& Only() {
    plan_ = PlanDbBackup(in_);
    EXPECT_EQ(plan_.tables.size(), 1u);
    return plan_.tables.at(0);
  }
  void SetUp() override {
    in_.snapshot = Snap();
    in_.start_secs = kStart;
  }
  DbBackupInputs in_;
  DbBackupPlan plan_;
};

TEST_F(DbBackupPlanTest, FirstRunReadsEveryTableWholeFromChunkOne) {
  Add(16401, Schema("articles"));
  Add(16410, Schema("publications"));
  plan_ = PlanDbBackup(in_);
  ASSERT_EQ(plan_.tables.size(), 2u);
  for (const auto& t : plan_.tables) {
    EXPECT_EQ(t.mode, "full");
    EXPECT_EQ(t.full_reason, "first run");
    EXPECT_FALSE(t.after);
    EXPECT_FALSE(t.prev_max_key);
  }
  EXPECT_EQ(plan_.tables[0].table, "public.articles");
  EXPECT_EQ(plan_.tables[0].ref.oid, 16401);
  EXPECT_EQ(plan_.mode(), "full");
  EXPECT_EQ(plan_.first_chunk_number, 1u);
  EXPECT_FALSE(plan_.members.previous);
  EXPECT_EQ(plan_.manifest_floor_secs, 0);
  EXPECT_EQ(plan_.ManifestKeyAt(kStart), dbkeys::ManifestKey(kStart));
}

TEST_F(DbBackupPlanTest, IncrementalContinuesFromThePreviousHorizonAndMaxKey) {
  in_.prev = PrevRun({PrevEntry(Schema("articles"), 16401, 777)});
  Add(16401, Schema("articles"));
  const PlannedTable& t = Only();
  EXPECT_EQ(t.mode, "incremental");
  EXPECT_EQ(t.full_reason, "");
  EXPECT_EQ(t.after, std::optional<std::string>("1500"));
  EXPECT_EQ(t.prev_max_key, std::optional<int64_t>(777));
  EXPECT_EQ(t.key_source(), kKeyPrimary);
  EXPECT_EQ(plan_.mode(), "incremental");
  EXPECT_EQ(plan_.members.previous, std::optional<std::string>(dbkeys::ManifestKey(kPrevSecs)));
  EXPECT_EQ(plan_.members.horizon, "2000");  // this run's horizon: the snapshot's xmin
}

TEST_F(DbBackupPlanTest, ATableNewToTheSetIsReadWholeWhileTheOthersContinue) {
  in_.prev = PrevRun({PrevEntry(Schema("articles"), 16401)});
  Add(16401, Schema("articles"));
  Add(16410, Schema("publications"));
  plan_ = PlanDbBackup(in_);
  ASSERT_EQ(plan_.tables.size(), 2u);
  EXPECT_EQ(plan_.tables[0].mode, "incremental");
  EXPECT_EQ(plan_.tables[1].mode, "full");
  EXPECT_EQ(plan_.tables[1].full_reason, "table added");
  EXPECT_FALSE(plan_.tables[1].after);
  EXPECT_FALSE(plan_.tables[1].prev_max_key);
  EXPECT_EQ(plan_.mode(), "incremental");
}

TEST_F(DbBackupPlanTest, AReplacedTableIsReadWholeAndKeepsThePreviousMaxKey) {
  in_.prev = PrevRun({PrevEntry(Schema("articles"), 16401, 900)});
  Add(17000, Schema("articles"));  // dropped and created again: another oid
  const PlannedTable& t = Only();
  EXPECT_EQ(t.mode, "full");
  EXPECT_EQ(t.full_reason, "table replaced");
  EXPECT_FALSE(t.after);
  // Restore sets the sequence past every id ever backed up, earlier chains included.
  EXPECT_EQ(t.prev_max_key, std::optional<int64_t>(900));
}

TEST_F(DbBackupPlanTest, AnotherClusterBySystemIdentifierIsReadWhole) {
  in_.prev = PrevRun({PrevEntry(Schema("articles"), 16401)});
  in_.snapshot = Snap("2000", "2005", "7399999999999999999");
  Add(16401, Schema("articles"));
  EXPECT_EQ(Only().full_reason, "cluster changed");
}

TEST_F(DbBackupPlanTest, AnotherClusterByXmaxBelowThePreviousHorizonIsReadWhole) {
  in_.prev = PrevRun({PrevEntry(Schema("articles"), 16401)});
  in_.snapshot = Snap("1200", "1499", std::nullopt);  // restored from an older base backup
  Add(16401, Schema("articles"));
  EXPECT_EQ(Only().full_reason, "cluster changed");
  // At the horizon itself the cursor still holds.
  in_.snapshot = Snap("1500", "1500", std::nullopt);
  EXPECT_EQ(Only().mode, "incremental");
}

TEST_F(DbBackupPlanTest, AnUnknownSystemIdentifierOnEitherSideIsNoChange) {
  Manifest prev = PrevEntry(Schema("articles"), 16401);
  prev.system_identifier.reset();  // a role that could not read pg_control_system()
  in_.prev = PrevRun({prev});
  Add(16401, Schema("articles"));
  EXPECT_EQ(Only().mode, "incremental");
  in_.prev = PrevRun({PrevEntry(Schema("articles"), 16401)});
  in_.snapshot = Snap("2000", "2005", std::nullopt);
  EXPECT_EQ(Only().mode, "incremental");
}

TEST_F(DbBackupPlanTest, AColumnTypeChangeIsASchemaChange) {
  in_.prev = PrevRun({PrevEntry(Schema("articles"), 16401)});
  Add(16401, Schema("articles", {Col("id", "bigint", true), Col("body", "character varying")}));
  EXPECT_EQ(Only().full_reason, "schema changed");
}

TEST_F(DbBackupPlanTest, AColumnRenameOrAddedColumnIsASchemaChange) {
  in_.prev = PrevRun({PrevEntry(Schema("articles"), 16401)});
  Add(16401, Schema("articles", {Col("id", "bigint", true), Col("text", "text")}));
  EXPECT_EQ(Only().full_reason, "schema changed");
  in_.schemas[0] =
      Schema("articles", {Col("id", "bigint", true), Col("body", "text"), Col("n", "int")});
  EXPECT_EQ(Only().full_reason, "schema changed");
}

TEST_F(DbBackupPlanTest, APrimaryKeyChangeIsASchemaChange) {
  in_.prev = PrevRun({PrevEntry(Schema("articles"), 16401)});
  Add(16401, Schema("articles", {}, {"id", "body"}));
  EXPECT_EQ(Only().full_reason, "schema changed");
}

TEST_F(DbBackupPlanTest, AGeneratedColumnIsNotInChunksSoAddingOneIsNoChange) {
  in_.prev = PrevRun({PrevEntry(Schema("articles"), 16401)});
  TableSchema s = Schema("articles");
  SchemaColumn generated = Col("body_len", "integer");
  generated.generated = "length(body)";
  s.columns.push_back(generated);
  Add(16401, s);
  EXPECT_EQ(Only().mode, "incremental");
}

TEST_F(DbBackupPlanTest, AKeylessTableIsAlwaysReadWhole) {
  Add(16420, Keyless("log"));
  EXPECT_EQ(Only().full_reason, "no key");  // before "first run": the reason that always holds
  in_.prev = PrevRun({PrevEntry(Keyless("log"), 16420, std::nullopt)});
  const PlannedTable& t = Only();
  EXPECT_EQ(t.mode, "full");
  EXPECT_EQ(t.full_reason, "no key");
  EXPECT_EQ(t.key_source(), kKeyNone);
  EXPECT_FALSE(t.after);
}

TEST_F(DbBackupPlanTest, SeveralTablesEachKeepTheirOwnMode) {
  in_.prev = PrevRun({PrevEntry(Schema("articles"), 16401, 10),
                      PrevEntry(Schema("publications"), 16410, 3), PrevEntry(Keyless("log"), 16420),
                      PrevEntry(Schema("tags"), 16430)});
  Add(16401, Schema("articles"));
  Add(16420, Keyless("log"));
  Add(16410, Schema("publications", {Col("id", "integer", true), Col("name", "text")}));
  Add(16431, Schema("tags"));
  Add(16440, Schema("topics"));
  plan_ = PlanDbBackup(in_);
  ASSERT_EQ(plan_.tables.size(), 5u);
  std::vector<std::string> modes, reasons;
  for (const auto& t : plan_.tables) {
    modes.push_back(t.mode);
    reasons.push_back(t.full_reason);
  }
  EXPECT_EQ(modes, (std::vector<std::string>{"incremental", "full", "full", "full", "full"}));
  EXPECT_EQ(reasons, (std::vector<std::string>{"", "no key", "schema changed", "table replaced",
                                               "table added"}));
  EXPECT_EQ(plan_.tables[0].prev_max_key, std::optional<int64_t>(10));
  EXPECT_EQ(plan_.tables[2].prev_max_key, std::optional<int64_t>(3));
  EXPECT_EQ(plan_.mode(), "incremental");
  EXPECT_EQ(plan_.manifest_version, 2);
}

TEST_F(DbBackupPlanTest, ChunksAreNumberedAfterTheHighestTheDestinationHolds) {
  Add(16401, Schema("articles"));
  in_.max_chunk_number = 41;  // debris of a failed run counts too: never a number twice
  EXPECT_EQ(PlanDbBackup(in_).first_chunk_number, 42u);
  in_.max_chunk_number = 999999;
  EXPECT_EQ(PlanDbBackup(in_).first_chunk_number, 1000000u);
}

TEST_F(DbBackupPlanTest, ConnectionsFollowTablesAndWorkers) {
  struct Case {
    size_t tables;
    int workers, connections, encode_workers;
  };
  for (Case c : {Case{1, 4, 1, 4}, Case{3, 4, 2, 2}, Case{3, 1, 1, 1}, Case{2, 16, 2, 8},
                 Case{10, 16, kMaxExportConnections, 16 / kMaxExportConnections}}) {
    in_.tables.tables.clear();
    in_.schemas.clear();
    for (size_t i = 0; i < c.tables; ++i)
      Add(16500 + static_cast<int64_t>(i), Schema("t" + std::to_string(i)));
    in_.options.workers = c.workers;
    DbBackupPlan p = PlanDbBackup(in_);
    EXPECT_EQ(p.connections.connections, c.connections) << c.tables << " x " << c.workers;
    EXPECT_EQ(p.connections.encode_workers, c.encode_workers) << c.tables << " x " << c.workers;
  }
}

TEST_F(DbBackupPlanTest, ManifestVersionOneOnlyForOneUnpartitionedPrimaryKeyTable) {
  auto version = [&](std::vector<TableSchema> schemas) {
    in_.tables.tables.clear();
    in_.schemas.clear();
    for (size_t i = 0; i < schemas.size(); ++i)
      Add(16600 + static_cast<int64_t>(i), std::move(schemas[i]));
    DbBackupPlan p = PlanDbBackup(in_);
    EXPECT_EQ(p.members.version, p.manifest_version);
    return p.manifest_version;
  };
  EXPECT_EQ(version({Schema("articles")}), 1);
  EXPECT_EQ(version({Schema("articles"), Schema("tags")}), 2);
  EXPECT_EQ(version({Keyless("log")}), 2);
  TableSchema unique = Schema("slugs");
  unique.key_source = std::string(kKeyUniqueIndex);
  EXPECT_EQ(version({unique}), 2);
  TableSchema partitioned = Schema("events");
  partitioned.partition_by = "RANGE (id)";
  EXPECT_EQ(version({partitioned}), 2);
}

TEST_F(DbBackupPlanTest, TheManifestNameIsNeverAtOrBeforeThePreviousOne) {
  in_.prev = PrevRun({PrevEntry(Schema("articles"), 16401)});
  Add(16401, Schema("articles"));
  plan_ = PlanDbBackup(in_);
  EXPECT_EQ(plan_.manifest_floor_secs, kPrevSecs + 1);
  // A clock behind the previous manifest's name (a clock set back) still moves forward.
  EXPECT_EQ(plan_.ManifestKeyAt(kPrevSecs - 60), dbkeys::ManifestKey(kPrevSecs + 1));
  EXPECT_EQ(plan_.ManifestKeyAt(kStart), dbkeys::ManifestKey(kStart));
}

TEST_F(DbBackupPlanTest, MembersCarryTheSnapshotStartAndEncryptionKeyId) {
  in_.options.encryption_key_id = "k-2025";
  in_.options.workers = 6;
  in_.options.zstd = true;
  Add(16401, Schema("articles"));
  plan_ = PlanDbBackup(in_);
  const Manifest& m = plan_.members;
  EXPECT_EQ(m.run, FormatCompactUtc(kStart));
  EXPECT_EQ(m.started_at, FormatIsoUtc(kStart));
  EXPECT_EQ(m.database, "news");
  EXPECT_EQ(m.server_version, 170002);
  EXPECT_EQ(m.system_identifier, std::optional<std::string>("7300000000000000001"));
  EXPECT_EQ(m.snapshot, "2000:2005:");
  EXPECT_EQ(m.snapshot_at, "2025-12-05T11:53:20.000000Z");
  EXPECT_EQ(m.horizon, "2000");
  EXPECT_EQ(m.encryption_key_id, std::optional<std::string>("k-2025"));
  EXPECT_EQ(m.tool.rfind("dredge ", 0), 0u);
  EXPECT_EQ(plan_.snapshot.xmax, "2005");
  EXPECT_EQ(plan_.start_secs, kStart);
  EXPECT_EQ(plan_.options.workers, 6);
  EXPECT_TRUE(plan_.options.zstd);
}

TEST_F(DbBackupPlanTest, WhatIsNotBackedUpIsPassedOnByName) {
  Add(16401, Schema("articles"));
  in_.tables.not_backed_up = {{"public.recent", "view", "recreate it from its definition"}};
  plan_ = PlanDbBackup(in_);
  ASSERT_EQ(plan_.not_backed_up.size(), 1u);
  EXPECT_EQ(plan_.not_backed_up[0].name, "public.recent");
  EXPECT_EQ(plan_.not_backed_up[0].kind, "view");
}

// The previous run as a run reads it: the listing's highest chunk number and the newest
// manifest, parsed from the store.
TEST_F(DbBackupPlanTest, ThePreviousRunReadFromAStorePlansLikeTheValue) {
  MemoryStore store("db-backup-plan");
  RunManifest prev = PrevRun({PrevEntry(Schema("articles"), 16401, 321)});
  ASSERT_TRUE(PutString(store, prev.key, RunManifestToJson(prev), {}).ok());
  ASSERT_TRUE(PutString(store, dbkeys::ChunkKey(7, kPrevSecs - 5, false), "x", {}).ok());
  ASSERT_TRUE(PutString(store, dbkeys::ChunkKey(12, kPrevSecs + 9, true), "y", {}).ok());
  auto listing = ListPrefix(store);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  auto newest = NewestManifest(store, *listing);
  ASSERT_TRUE(newest.ok()) << newest.status().ToString();
  in_.prev = *newest;
  in_.max_chunk_number = listing->max_chunk_number;
  Add(16401, Schema("articles"));
  const PlannedTable& t = Only();
  EXPECT_EQ(t.mode, "incremental");
  EXPECT_EQ(t.after, std::optional<std::string>("1500"));
  EXPECT_EQ(t.prev_max_key, std::optional<int64_t>(321));
  EXPECT_EQ(plan_.first_chunk_number, 13u);
  EXPECT_EQ(plan_.members.previous, std::optional<std::string>(prev.key));
}

}  // namespace
}  // namespace dredge
