// CheckRecordHeader: the one format/version check of every JSON record, and the readers that
// use it (run record, lease, files prune record, sidecar, manifest) refusing a foreign format or
// a newer version with its message.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/record_header.h"
#include "formats/manifest.h"
#include "ops/lease.h"
#include "ops/run_record.h"
#include "store/file/sidecar.h"

namespace dredge {
namespace {

Status Check(const char* text, int max_version = 2) {
  return CheckRecordHeader(nlohmann::json::parse(text), "dredge-x", max_version, "record 'k'");
}

TEST(RecordHeader, AcceptsKnownVersions) {
  EXPECT_TRUE(Check(R"({"format":"dredge-x","version":1})").ok());
  EXPECT_TRUE(Check(R"({"format":"dredge-x","version":2,"more":[1]})").ok());
}

TEST(RecordHeader, RefusesAForeignFormat) {
  for (const char* text : {R"([1,2])", R"({"version":1})", R"({"format":"dredge-y","version":1})",
                           R"({"format":7,"version":1})"}) {
    Status st = Check(text);
    EXPECT_TRUE(st.Is(ErrorKind::kCorrupt)) << text;
    EXPECT_EQ(st.message(), "record 'k' is not a dredge-x record") << text;
  }
}

TEST(RecordHeader, RefusesANewerVersionAskingForAnUpgrade) {
  Status st = Check(R"({"format":"dredge-x","version":3})");
  EXPECT_TRUE(st.Is(ErrorKind::kCorrupt));
  EXPECT_EQ(st.message(),
            "record 'k' has version 3, newer than this dredge understands (2): upgrade dredge");
}

TEST(RecordHeader, RefusesAMissingOrInvalidVersion) {
  for (const char* text :
       {R"({"format":"dredge-x"})", R"({"format":"dredge-x","version":0})",
        R"({"format":"dredge-x","version":"1"})", R"({"format":"dredge-x","version":1.5})"}) {
    Status st = Check(text);
    EXPECT_TRUE(st.Is(ErrorKind::kCorrupt)) << text;
    EXPECT_EQ(st.message(), "record 'k' has no valid version (an integer from 1)") << text;
  }
}

TEST(RecordHeader, EveryReaderUsesIt) {
  const char* newer_run = R"({"format":"dredge-run","version":9})";
  EXPECT_EQ(DecodeRunRecord(newer_run, "k").status().message(),
            "run record 'k' has version 9, newer than this dredge understands (1): upgrade dredge");
  EXPECT_EQ(DecodeLease(R"({"format":"dredge-run","version":1})", "k").status().message(),
            "lease 'k' is not a dredge-lease record");
  EXPECT_EQ(filestore::DecodeSidecar(R"({"format":"dredge.file-store.meta","version":2})")
                .status()
                .message(),
            "file-store sidecar has version 2, newer than this dredge understands (1): upgrade "
            "dredge");
  EXPECT_EQ(ParseRunManifest(R"({"format":"dredge-manifest","version":3})").status().message(),
            "manifest has version 3, newer than this dredge understands (2): upgrade dredge");
}

}  // namespace
}  // namespace dredge
