// RecordSpill: records come back byte-exact and in order, any number of reads; misuse is an
// error value, not a crash.
#include "engine/files/record_spill.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dredge {
namespace {

TEST(RecordSpill, RoundTripsRecordsInOrderAndRereads) {
  auto spill = RecordSpill::Create("/tmp");
  ASSERT_TRUE(spill.ok()) << spill.status().ToString();
  std::vector<std::string> recs = {"", "a", std::string("nul\0inside", 10),
                                   std::string(70000, 'x')};
  for (int i = 0; i < 1000; ++i) recs.push_back("record " + std::to_string(i));
  for (const auto& r : recs) ASSERT_TRUE((*spill)->Append(r).ok());
  EXPECT_EQ((*spill)->count(), recs.size());
  for (int pass = 0; pass < 2; ++pass) {
    ASSERT_TRUE((*spill)->Rewind().ok());
    std::string got;
    for (const auto& want : recs) {
      auto more = (*spill)->Next(&got);
      ASSERT_TRUE(more.ok() && *more);
      EXPECT_EQ(got, want);
    }
    auto end = (*spill)->Next(&got);
    ASSERT_TRUE(end.ok());
    EXPECT_FALSE(*end);
  }
  EXPECT_EQ((*spill)->Append("late").kind(), ErrorKind::kInvalidArgument);
}

TEST(RecordSpill, ReadBeforeRewindAndBadDirectoryAreErrors) {
  auto spill = RecordSpill::Create("/tmp");
  ASSERT_TRUE(spill.ok());
  std::string got;
  EXPECT_EQ((*spill)->Next(&got).status().kind(), ErrorKind::kInvalidArgument);
  auto bad = RecordSpill::Create("/nonexistent-dredge-dir");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().kind(), ErrorKind::kIo);
  EXPECT_NE(bad.status().message().find("TMPDIR"), std::string::npos);
}

TEST(RecordFields, WriterAndReaderAgreeAndDetectTruncation) {
  RecordWriter w;
  w.U64(42);
  w.Str("path/with\xff bytes");
  w.U64(UINT64_MAX);
  RecordReader r(w.bytes());
  uint64_t a = 0, c = 0;
  std::string b;
  ASSERT_TRUE(r.U64(&a) && r.Str(&b) && r.U64(&c));
  EXPECT_EQ(a, 42u);
  EXPECT_EQ(b, "path/with\xff bytes");
  EXPECT_EQ(c, UINT64_MAX);
  std::string cut = w.bytes().substr(0, 12);
  RecordReader t(cut);
  EXPECT_TRUE(t.U64(&a));
  EXPECT_FALSE(t.Str(&b));
}

}  // namespace
}  // namespace dredge
