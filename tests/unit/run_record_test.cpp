// Run records: written at a key that sorts by time, read back field by field, newest success
// and failure found.
#include <gtest/gtest.h>

#include "common/time_util.h"
#include "ops/run_record.h"
#include "store/memory/memory_store.h"

namespace dredge {
namespace {

constexpr int64_t kSec = 1000000000;

RunRecord Make(const std::string& tier, int64_t start_s, const std::string& status) {
  RunRecord r;
  r.tier = tier;
  r.command = "backup";
  r.destination = "memory://t";
  r.run = NewRunIdentity();
  r.run.start_ns = start_s * kSec + 123;
  r.end_ns = r.run.start_ns + 62 * kSec;
  r.status = status;
  r.exit_code = status == "ok" ? 0 : status == "partial" ? 3 : 1;
  r.error = status == "ok" ? "" : "cannot upload 'a.txt': AccessDenied";
  r.objects = 12;
  r.bytes = 3456;
  r.rows = 78;
  r.counts = {{"skipped", 1000}, {"failed", status == "ok" ? 0 : 2}};
  r.snapshot = ".dredge/snapshots/s.json";
  return r;
}

TEST(RunRecord, RoundTripsEveryField) {
  MemoryStore store;
  RunRecord r = Make("files", 1748304754, "partial");
  auto key = WriteRunRecord(store, r);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(*key, ".dredge/runs/files/run_20250527_001234_" + r.run.run_id + ".json");
  auto bytes = GetString(store, *key);
  ASSERT_TRUE(bytes.ok());
  EXPECT_NE(bytes->find("\"format\": \"dredge-run\""), std::string::npos);
  EXPECT_NE(bytes->find("\"duration_s\": 62.0"), std::string::npos) << *bytes;
  auto back = DecodeRunRecord(*bytes, *key);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->key, *key);
  EXPECT_EQ(back->tier, "files");
  EXPECT_EQ(back->command, "backup");
  EXPECT_EQ(back->destination, "memory://t");
  EXPECT_EQ(back->run.run_id, r.run.run_id);
  EXPECT_EQ(back->run.host, r.run.host);
  EXPECT_EQ(back->run.pid, r.run.pid);
  EXPECT_EQ(back->run.start_ns, r.run.start_ns);
  EXPECT_EQ(back->end_ns, r.end_ns);
  EXPECT_EQ(back->status, "partial");
  EXPECT_EQ(back->exit_code, 3);
  EXPECT_EQ(back->error, r.error);
  EXPECT_EQ(back->objects, 12u);
  EXPECT_EQ(back->bytes, 3456u);
  EXPECT_EQ(back->rows, 78u);
  EXPECT_EQ(back->counts, r.counts);
  EXPECT_EQ(back->snapshot, r.snapshot);
  EXPECT_DOUBLE_EQ(back->duration_seconds(), 62.0);

  // Never overwritten.
  auto again = WriteRunRecord(store, r);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().kind(), ErrorKind::kPreconditionFailed);
}

TEST(RunRecord, ListsOldestFirstAndFindsLastSuccessAndFailure) {
  MemoryStore store;
  ASSERT_TRUE(WriteRunRecord(store, Make("db", 1000000, "ok")).ok());
  ASSERT_TRUE(WriteRunRecord(store, Make("db", 1000100, "failed")).ok());
  RunRecord newest_ok = Make("db", 1000200, "ok");
  ASSERT_TRUE(WriteRunRecord(store, newest_ok).ok());
  RunRecord newest_fail = Make("db", 1000300, "partial");
  ASSERT_TRUE(WriteRunRecord(store, newest_fail).ok());
  ASSERT_TRUE(WriteRunRecord(store, Make("files", 2000000, "failed")).ok());
  ASSERT_TRUE(PutString(store, ".dredge/runs/db/run_19700101_000000_bad.json", "{oops").ok());

  auto all = ListRunRecords(store, "db");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u) << "the unreadable record is skipped";
  EXPECT_EQ((*all)[0].run.start_ns / kSec, 1000000);
  EXPECT_EQ((*all)[3].run.start_ns / kSec, 1000300);

  auto last = FindLastRuns(store, "db");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->total, 5u);
  ASSERT_TRUE(last->last_success);
  EXPECT_EQ(last->last_success->run.run_id, newest_ok.run.run_id);
  ASSERT_TRUE(last->last_failure);
  EXPECT_EQ(last->last_failure->run.run_id, newest_fail.run.run_id);

  auto none = FindLastRuns(store, "nothing");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->total, 0u);
  EXPECT_FALSE(none->last_success);
  EXPECT_FALSE(none->last_failure);
}

TEST(RunRecord, StatusForOutcome) {
  EXPECT_EQ(RunStatusFor(Status::Ok()), "ok");
  EXPECT_EQ(RunStatusFor(Status(ErrorKind::kPartial, "x")), "partial");
  EXPECT_EQ(RunStatusFor(Status::Io("x")), "failed");
}

TEST(RunRecord, RejectsForeignAndNewerFormats) {
  EXPECT_EQ(DecodeRunRecord("[1,2]", "k").status().kind(), ErrorKind::kCorrupt);
  auto newer = DecodeRunRecord(R"({"format":"dredge-run","version":99})", "k");
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.status().message().find("upgrade"), std::string::npos);
}

}  // namespace
}  // namespace dredge
