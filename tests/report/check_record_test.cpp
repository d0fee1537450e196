// Check records (docs/formats/check-record.md, src/ops/check_record.h) on the memory store:
// round trip, the key, the newest of a kind, header checks, and statuses from outcomes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/log.h"
#include "ops/check_record.h"
#include "store/memory/memory_store.h"

namespace dredge {
namespace {

using ::testing::HasSubstr;

CheckRecord Record(const std::string& kind, int64_t start_s, const std::string& id) {
  CheckRecord r;
  r.kind = kind;
  r.tier = "files";
  r.destination = "mem://x";
  r.run.run_id = id;
  r.run.host = "h";
  r.run.start_ns = start_s * 1000000000;
  r.end_ns = r.run.start_ns + 2500000000;
  r.status = "mismatch";
  r.exit_code = 4;
  r.message = "1 different object";
  r.counts = {{"checked", 40}, {"different", 1}};
  return r;
}

TEST(CheckRecord, RoundTripsUnderItsDocumentedKey) {
  MemoryStore store;
  auto key = WriteCheckRecord(store, Record("verify-deep", 1748000000, "abcdef0123456789"));
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(*key, ".dredge/checks/files/verify-deep_20250523_113320_abcdef0123456789.json");
  auto got = NewestCheckRecord(store, "files", "verify-deep");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  const CheckRecord& r = **got;
  EXPECT_EQ(r.status, "mismatch");
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.run.run_id, "abcdef0123456789");
  EXPECT_EQ(r.end_ns - r.run.start_ns, 2500000000);
  EXPECT_EQ(r.counts.at("checked"), 40);
  EXPECT_EQ(r.message, "1 different object");
}

TEST(CheckRecord, NewestOfItsKindOnly) {
  MemoryStore store;
  ASSERT_TRUE(WriteCheckRecord(store, Record("verify", 1748000000, "aaaaaaaaaaaaaaaa")).ok());
  ASSERT_TRUE(WriteCheckRecord(store, Record("verify", 1748100000, "bbbbbbbbbbbbbbbb")).ok());
  ASSERT_TRUE(WriteCheckRecord(store, Record("verify-deep", 1748200000, "cccccccccccccccc")).ok());
  auto got = NewestCheckRecord(store, "files", "verify");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->run.run_id, "bbbbbbbbbbbbbbbb");
  auto none = NewestCheckRecord(store, "files", "drill");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto db = NewestCheckRecord(store, "db", "verify");
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE(db->has_value());
}

TEST(CheckRecord, RefusesANewerVersionAndAForeignFormat) {
  std::string text = EncodeCheckRecord(Record("drill", 1748000000, "aaaaaaaaaaaaaaaa"));
  std::string newer = text;
  newer.replace(newer.find("\"version\": 1"), 12, "\"version\": 9");
  auto r = DecodeCheckRecord(newer, "k");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(ErrorKind::kCorrupt));
  std::string foreign = text;
  foreign.replace(foreign.find("dredge-check"), 12, "dredge-run");
  EXPECT_FALSE(DecodeCheckRecord(foreign, "k").ok());
}

TEST(CheckRecord, StatusFromTheOutcome) {
  EXPECT_EQ(CheckStatusFor(Status::Ok()), "ok");
  EXPECT_EQ(CheckStatusFor(Status(ErrorKind::kMismatch, "m")), "mismatch");
  EXPECT_EQ(CheckStatusFor(Status::Corrupt("c")), "mismatch");
  EXPECT_EQ(CheckStatusFor(Status::Io("x")), "failed");
}

TEST(CheckRecord, MessagesAreScrubbed) {
  log::RegisterSecret("s3cr3t-token-value");
  CheckRecord r = Record("verify", 1748000000, "aaaaaaaaaaaaaaaa");
  r.message = "failed with s3cr3t-token-value in it";
  std::string text = EncodeCheckRecord(r);
  EXPECT_THAT(text, HasSubstr("failed with *** in it"));
  EXPECT_EQ(text.find("s3cr3t"), std::string::npos);
}

}  // namespace
}  // namespace dredge
