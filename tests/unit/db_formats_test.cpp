// Chunk and manifest formats: round trips through COPY text, strict JSON, key naming,
// id lists, key ranges, temporal keys and legacy StoryDredge chunks.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/db/horizon.h"
#include "formats/chunk_reader.h"
#include "formats/chunk_writer.h"
#include "formats/copy_text.h"
#include "formats/db_keys.h"
#include "formats/key_set.h"
#include "formats/legacy_chunk.h"
#include "formats/manifest.h"
#include "formats/temporal.h"
#include "support/chunk_lines.h"

namespace dredge {
namespace {

using ChunkLines = testing::ChunkLines;

std::vector<ColumnSpec> Cols() {
  return {MakeColumn("id", "integer"),
          MakeColumn("big", "bigint"),
          MakeColumn("f", "double precision"),
          MakeColumn("r", "real"),
          MakeColumn("ok", "boolean"),
          MakeColumn("n", "numeric"),
          MakeColumn("t", "text"),
          MakeColumn("b", "bytea"),
          MakeColumn("j", "jsonb"),
          MakeColumn("ts", "timestamp without time zone"),
          MakeColumn("tz", "timestamp with time zone"),
          MakeColumn("d", "date"),
          MakeColumn("a", "integer[]")};
}

TEST(DbChunkFormat, EveryValueRoundTripsThroughCopyText) {
  // Lines exactly as COPY ... TO STDOUT prints them.
  std::vector<std::string> lines = {
      "1\t9007199254740993\tNaN\t-Infinity\tt\t3.14159265358979323846264338327950288\t"
      "tab\\there\\nnew \\\\ back \"q\" \x01 ctl \xF0\x9F\x98\x80 astral\t\\\\x00ff\t"
      "{\"a\": [1, 2.50]}\t2025-05-27 00:07:50.123456\t2025-05-27 00:07:50+00\t2025-05-27\t"
      "{1,2,NULL}",
      "2\t-5\t-0\t1.5e-07\tf\tNaN\t\\N\t\\N\t\\N\t\\N\t-infinity\t0044-03-15 BC\t\\N",
      "3\t\\N\t1e+100\tInfinity\t\\N\t-1\t\\b\\f\\r\\v\t\\\\x\t[]\tinfinity\t\\N\t\\N\t{}",
  };
  ChunkWriter w(Cols(), {0});
  w.Begin("public.t", "20250527_000000", 7);
  for (const auto& l : lines) ASSERT_TRUE(w.AddRow(l).ok());
  EXPECT_EQ(w.stats().rows, 3u);
  EXPECT_EQ(w.stats().key_min, std::vector<std::string>{"1"});
  EXPECT_EQ(w.stats().key_max, std::vector<std::string>{"3"});
  std::string body = w.Finish();

  // Strict JSON (nlohmann rejects bare NaN), rows keyed by column name.
  nlohmann::json j = nlohmann::json::parse(body);
  EXPECT_EQ(j["format"], "dredge-chunk");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["rows"][0]["big"], "9007199254740993");
  EXPECT_EQ(j["rows"][1]["big"], -5);
  EXPECT_EQ(j["rows"][0]["f"], "NaN");
  EXPECT_EQ(j["rows"][0]["t"], "tab\there\nnew \\ back \"q\" \x01 ctl \xF0\x9F\x98\x80 astral");
  EXPECT_TRUE(j["rows"][1]["t"].is_null());
  EXPECT_EQ(j["rows"][0]["ok"], true);

  ChunkLines sink;
  ASSERT_TRUE(DecodeChunk(body, sink).ok());
  EXPECT_EQ(sink.header.number, 7u);
  EXPECT_EQ(sink.header.table, "public.t");
  ASSERT_EQ(sink.header.columns.size(), Cols().size());
  EXPECT_EQ(sink.lines, lines);

  // Zone maps compare in time, not text: 44 BC is before 2025.
  const ZoneMap& dz = w.stats().zones[11];
  ASSERT_TRUE(dz.any);
  EXPECT_EQ(dz.min, "0044-03-15 BC");
  EXPECT_EQ(dz.max, "2025-05-27");
  EXPECT_EQ(w.stats().zones[9].max, "infinity");
}

TEST(DbChunkFormat, MillionCharacterTextRoundTrips) {
  std::string big;
  for (int i = 0; i < 1000000; ++i) big.push_back(static_cast<char>('a' + i % 26));
  big[5000] = '\t';
  std::string line = "1\t" + copytext::Escape(big);
  ChunkWriter w({MakeColumn("id", "integer"), MakeColumn("c", "text")}, {0});
  w.Begin("t", "r", 1);
  ASSERT_TRUE(w.AddRow(line).ok());
  ChunkLines sink;
  ASSERT_TRUE(DecodeChunk(w.Finish(), sink).ok());
  ASSERT_EQ(sink.lines.size(), 1u);
  EXPECT_EQ(sink.lines[0], line);
}

TEST(DbChunkFormat, CorruptBodiesAreRefusedWithReason) {
  ChunkLines sink;
  Status st = DecodeChunk("{\"format\":\"dredge-chunk\",\"version\":1,\"columns\":[", sink);
  EXPECT_TRUE(st.Is(ErrorKind::kCorrupt)) << st.ToString();
  st = DecodeChunk("{\"format\":\"dredge-chunk\",\"version\":9,\"columns\":[],\"rows\":[]}", sink);
  EXPECT_TRUE(st.Is(ErrorKind::kCorrupt));
  EXPECT_NE(st.message().find("version 9"), std::string::npos);
  st = DecodeChunk(
      "{\"format\":\"dredge-chunk\",\"version\":1,\"columns\":[{\"name\":\"id\",\"type\":"
      "\"integer\"}],\"rows\":[{\"id\":\"x\"}]}",
      sink);
  EXPECT_TRUE(st.Is(ErrorKind::kCorrupt));
  EXPECT_NE(st.message().find("'id'"), std::string::npos);
}

TEST(DbKeys, NamesAndNumbers) {
  EXPECT_EQ(dbkeys::ChunkKey(42, 1748304754, false),
            "database_backups/chunks/chunk_000042_20250527_001234.json");
  EXPECT_EQ(dbkeys::ChunkKey(1234567, 1748304754, true),
            "database_backups/chunks/chunk_1234567_20250527_001234.json.zst");
  EXPECT_EQ(dbkeys::ManifestKey(1748304754),
            "database_backups/manifests/backup_manifest_20250527_001234.json");
  auto c = dbkeys::ParseChunkKey("database_backups/chunks/chunk_000017_20250101_235959.json");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->number, 17u);
  EXPECT_EQ(c->stamp, "20250101_235959");
  EXPECT_FALSE(dbkeys::ParseChunkKey("database_backups/chunks/chunk_x_20250101_235959.json"));
  EXPECT_FALSE(dbkeys::ParseChunkKey("database_backups/chunks/notes.txt"));
  EXPECT_EQ(
      *dbkeys::ManifestIdOfKey("database_backups/manifests/backup_manifest_20250527_001234.json"),
      "backup_manifest_20250527_001234");
  EXPECT_EQ(*dbkeys::ManifestKeyFromUserText("20250527_001234"),
            "database_backups/manifests/backup_manifest_20250527_001234.json");
  EXPECT_EQ(*dbkeys::ManifestKeyFromUserText("backup_manifest_20250527_001234"),
            "database_backups/manifests/backup_manifest_20250527_001234.json");
  EXPECT_FALSE(dbkeys::ManifestKeyFromUserText("yesterday"));
}

TEST(DbKeySet, IdListsAndRanges) {
  auto r = ParseIdList("1-100,205, 300-310\n101\n# comment\n");
  ASSERT_TRUE(r.ok());
  std::vector<IntRange> want = {{1, 101}, {205, 205}, {300, 310}};
  EXPECT_EQ(*r, want);
  EXPECT_TRUE(ParseIdList("5-1").status().Is(ErrorKind::kUsage));
  EXPECT_TRUE(ParseIdList("a").status().Is(ErrorKind::kUsage));
  EXPECT_TRUE(ParseIdList("").status().Is(ErrorKind::kUsage));
  auto ranges = RangesOfKeys({5, 3, 4, 10, 1, 11, 4});
  std::vector<IntRange> want2 = {{1, 1}, {3, 5}, {10, 11}};
  EXPECT_EQ(ranges, want2);
  EXPECT_TRUE(RangesContain(ranges, 4));
  EXPECT_FALSE(RangesContain(ranges, 2));
  EXPECT_FALSE(RangesContain(ranges, 12));
  EXPECT_TRUE(RangesOverlap(ranges, 6, 10));
  EXPECT_FALSE(RangesOverlap(ranges, 6, 9));
  auto live = LiveKeySet::OfInts(ranges);
  EXPECT_EQ(live.count(), 6u);
}

TEST(DbTemporal, KeysOrderByTime) {
  auto k = [](Temporal t, const char* s) { return TemporalKey(t, s).value(); };
  EXPECT_EQ(k(Temporal::kTimestamp, "1970-01-01 00:00:01.5"), 1500000);
  EXPECT_EQ(k(Temporal::kTimestampTz, "1970-01-01 02:00:00+02"), 0);
  EXPECT_LT(k(Temporal::kDate, "0001-01-01 BC"), k(Temporal::kDate, "0001-01-01"));
  EXPECT_TRUE(TemporalKey(Temporal::kDate, "soon").status().Is(ErrorKind::kCorrupt));
  EXPECT_EQ(UserTimeKey(Temporal::kDate, "1970-01-02T10:00:00").value(), 86400LL * 1000000);
  EXPECT_EQ(UserTimeKey(Temporal::kTimestamp, "1970-01-01T00:00:01+05:00").value(), 1000000);
  EXPECT_EQ(UserTimeKey(Temporal::kTimestampTz, "1970-01-01T00:00:01Z").value(), 1000000);
}

TEST(DbLegacyChunk, PythonStyleArrayWithBareTokens) {
  std::string text = R"([
  {
    "id": 7,
    "title": "Caf\u00e9 \ud83d\ude00 NaN in text",
    "timestamp": "2025-05-27 00:07:50.123456",
    "quality_score": NaN,
    "newsworthiness_score": -Infinity,
    "unusualness_score": Infinity,
    "content": null
  }
])";
  ASSERT_TRUE(LooksLikeLegacyChunk(text));
  auto rows = DecodeLegacyChunk(text);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  std::map<std::string, std::string> m((*rows)[0].begin(), (*rows)[0].end());
  EXPECT_EQ(m["id"], "7");
  EXPECT_EQ(m["title"], "Caf\xC3\xA9 \xF0\x9F\x98\x80 NaN in text");
  EXPECT_EQ(m["quality_score"], "NaN");
  EXPECT_EQ(m["newsworthiness_score"], "-Infinity");
  EXPECT_EQ(m["unusualness_score"], "Infinity");
  EXPECT_EQ(m["content"], "\\N");
  EXPECT_TRUE(DecodeLegacyChunk("{\"a\":1}").status().Is(ErrorKind::kCorrupt));
}

TEST(DbManifest, RoundTripsThroughJson) {
  Manifest m;
  m.id = "backup_manifest_20250527_001234";
  m.run = "20250527_001230";
  m.mode = "incremental";
  m.previous = "database_backups/manifests/backup_manifest_20250526_001234.json";
  m.table = "public.t";
  m.snapshot = "1000:1004:1001";
  m.horizon = "1000";
  m.after = "990";
  m.schema.schema_name = "public";
  m.schema.table = "t";
  m.schema.columns = {{"id", "bigint", true, std::nullopt, true, "", ""},
                      {"ts", "timestamp without time zone", false, "now()", false, "", ""}};
  m.schema.pk_columns = {"id"};
  m.schema.sequence = SequenceInfo{"public.t_id_seq", "id", 9007199254740999, true};
  ChunkEntry c;
  c.key = "database_backups/chunks/chunk_000001_20250527_001230.json";
  c.number = 1;
  c.sha256 = "ab";
  c.size = 10;
  c.rows = 2;
  c.key_min = {"1"};
  c.key_max = {"9007199254740999"};
  c.zones["ts"] = {"2025-01-01 00:00:00", "2025-02-01 00:00:00"};
  m.chunks.push_back(c);
  m.live_keys = LiveKeySet::OfInts({{1, 5}, {7, 9007199254740999}});
  m.max_key = 9007199254740999;
  std::string text = ManifestToJson(m);
  auto back = ParseManifest(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->previous, m.previous);
  EXPECT_EQ(back->after, m.after);
  EXPECT_EQ(back->chunks[0].key_max, c.key_max);
  EXPECT_EQ(back->chunks[0].zones, c.zones);
  EXPECT_EQ(back->live_keys.ranges(), m.live_keys.ranges());
  EXPECT_EQ(back->max_key, m.max_key);
  EXPECT_EQ(back->schema.sequence->last_value, 9007199254740999);
  EXPECT_EQ(ManifestToJson(*back), text);
  EXPECT_TRUE(ParseManifest("{\"backup_info\":{}}").status().Is(ErrorKind::kUnsupported));
}

// A valid one-column full manifest for the parser's refusal tests to spoil.
Manifest MinimalManifest() {
  Manifest m;
  m.id = "backup_manifest_20250527_001234";
  m.run = "20250527_001230";
  m.mode = "full";
  m.table = "public.t";
  m.snapshot = "1000:1000:";
  m.horizon = "1000";
  m.schema.schema_name = "public";
  m.schema.table = "t";
  m.schema.columns = {{"id", "bigint", true, std::nullopt, false, "", ""}};
  m.schema.pk_columns = {"id"};
  m.live_keys = LiveKeySet::OfInts({{1, 5}});
  return m;
}

// The next run's cursor comes from the previous manifest's horizon and goes into SQL: a
// manifest whose transaction ids are not numbers is Corrupt.
TEST(DbManifest, TransactionIdsMustBeNumbers) {
  Manifest m = MinimalManifest();
  m.mode = "incremental";
  auto parse = [&](const std::string& snapshot, const std::string& horizon,
                   std::optional<std::string> after) {
    m.snapshot = snapshot;
    m.horizon = horizon;
    m.after = after;
    return ParseManifest(ManifestToJson(m));
  };
  EXPECT_TRUE(parse("1000:1004:1001,1003", "1000", "990").ok());
  EXPECT_TRUE(parse("1000:1000:", "1000", std::nullopt).ok());
  EXPECT_TRUE(parse("1000:1004:1001", "5) OR true --", "990").status().Is(ErrorKind::kCorrupt));
  EXPECT_TRUE(parse("1000:1004:1001", "1000", "0 OR 1=1").status().Is(ErrorKind::kCorrupt));
  EXPECT_TRUE(parse("1000:1004:1001", "1000", "").status().Is(ErrorKind::kCorrupt));
  for (const char* snap : {"1000", "1000:", "a:b:", "1000:1004:1001,,", "1:2:3;"})
    EXPECT_TRUE(parse(snap, "1000", "990").status().Is(ErrorKind::kCorrupt)) << snap;
}

TEST(DbManifest, SequenceMustBeAName) {
  Manifest m = MinimalManifest();
  m.schema.columns[0].serial = true;
  m.schema.sequence = SequenceInfo{"public.\"t id seq\"", "id", 5, true};
  EXPECT_TRUE(ParseManifest(ManifestToJson(m)).ok());
  m.schema.sequence->name = "public.s OWNED BY NONE; DROP TABLE x";
  EXPECT_TRUE(ParseManifest(ManifestToJson(m)).status().Is(ErrorKind::kCorrupt));
}

TEST(DbHorizon, RowChangedSinceSqlWidensXminAgainstXmax) {
  // xmax 2^32 + 10 (epoch 1): a row xmin of 5 stands for xid8 2^32 + 5, one of 4294967290 for
  // the epoch before; only digits reach the text.
  EXPECT_EQ(RowChangedSinceSql(4294967296, 4294967306),
            "(xmin::text::bigint >= 3 AND 4294967306 - ((10 - xmin::text::bigint + 4294967296) % "
            "4294967296) >= 4294967296)");
}

// Restore and drill put column types into SQL: a manifest whose type carries anything but a
// type name is Corrupt, while every shape format_type() prints is accepted.
TEST(DbManifest, ColumnTypesMustBeTypeNames) {
  Manifest m = MinimalManifest();
  auto with_type = [&](const std::string& type) {
    m.schema.columns = {{"id", "bigint", true, std::nullopt, false, "", ""},
                        {"c", type, false, std::nullopt, false, "", ""}};
    return ParseManifest(ManifestToJson(m));
  };
  for (const char* good :
       {"integer", "character varying(80)", "numeric(12,2)", "timestamp(3) with time zone",
        "double precision[]", "public.\"Mood; DROP\"", "bit varying(5)", "text[][]"})
    EXPECT_TRUE(with_type(good).ok()) << good << ": " << with_type(good).status().ToString();
  for (const char* bad :
       {"int; DROP TABLE t", "int -- x", "text DEFAULT 'x'", "int)", "(int", "numeric(pg_sleep(1))",
        "int::text", "\"unterminated", "int /* c */", ""}) {
    auto r = with_type(bad);
    EXPECT_TRUE(r.status().Is(ErrorKind::kCorrupt)) << bad;
    if (*bad) {
      EXPECT_NE(r.status().message().find("not a PostgreSQL type name"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace dredge
