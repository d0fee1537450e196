// Inputs the libFuzzer targets (fuzz/) found to crash or trigger undefined behaviour, fed to
// the parser they broke: each must now be an error value. Add a case for every new finding.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "common/time_util.h"
#include "formats/manifest.h"
#include "formats/snapshot.h"
#include "store/s3/s3_xml.h"

namespace dredge {
namespace {

// s3_xml_fuzz: a LastModified in year 2609 overflowed int64 nanoseconds (signed overflow).
TEST(FuzzRegression, S3TimestampBeyond2262IsCorruptNotOverflow) {
  EXPECT_TRUE(s3::ParseS3Timestamp("2609-10-12T17:50:30.000Z").status().Is(ErrorKind::kCorrupt));
  EXPECT_FALSE(ParseIsoTime("2609-10-12T17:50:30Z").ok());
  EXPECT_FALSE(ParseIsoTime("1600-01-01T00:00:00Z").ok());
  EXPECT_TRUE(ParseIsoTime("2262-01-01T00:00:00Z").ok());
  EXPECT_TRUE(ParseIsoTime("1700-01-01T00:00:00Z").ok());
  auto page = s3::ParseListObjectsV2(
      "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key>"
      "<LastModified>2609-10-12T17:50:30.000Z</LastModified><ETag>\"e\"</ETag><Size>1</Size>"
      "</Contents></ListBucketResult>");
  EXPECT_TRUE(page.status().Is(ErrorKind::kCorrupt));
}

// snapshot_fuzz: the same overflow through a snapshot's started_at.
TEST(FuzzRegression, SnapshotTimeBeyond2262IsAnError) {
  std::istringstream in(
      R"({"format": "dredge-files-snapshot", "version": 1, "id": "s",)"
      R"( "started_at": "7100-05-27T00:10:02Z", "source": "/s", "host": "h", "files": []})");
  Status st = ParseSnapshot(
      in, "fuzz", [](const SnapshotEntry&) { return Status::Ok(); },
      [](const SnapshotHeader&) { return Status::Ok(); });
  EXPECT_FALSE(st.ok());
}

// manifest_fuzz: a float where an integer belongs (1.5e61 as server_version) was cast to
// int64 (undefined behaviour in nlohmann's conversion); now Corrupt.
TEST(FuzzRegression, ManifestFloatInAnIntegerMemberIsCorrupt) {
  const std::string head =
      R"({"format":"dredge-manifest","id":"m","tool":"t","run":"r","mode":"full",)"
      R"("source":{"database":"d","table":"public.k","table_oid":1,"server_version":)";
  const std::string tail = R"(},"snapshot":{"snapshot":"1:1:","horizon":"1","after":null},)"
                           R"("schema":{"table":"k","schema_name":"public","columns":[],)"
                           R"("primary_key":{"name":"p","columns":[]}},"chunks":[],)"
                           R"("live_keys":{"kind":"list","count":0,"keys":[]},"max_key":null)";
  for (const std::string& version :
       {std::string("\"version\":1,"), std::string("\"version\":1.5e61,")})
    for (const char* server : {"1.5e61", "-1e300", "150000.5"}) {
      std::string text = "{" + version + head.substr(1) + server + tail + "}";
      auto m = ParseManifest(text);
      EXPECT_TRUE(m.status().Is(ErrorKind::kCorrupt)) << text << "\n" << m.status().ToString();
    }
  std::string chunk_size_float =
      "{\"version\":1," + head.substr(1) + "1" + tail +
      R"(,"chunks":[{"key":"k","number":1,"sha256":"s","size":1e300,"rows":1,"key_min":[],"key_max":[]}]})";
  EXPECT_TRUE(ParseManifest(chunk_size_float).status().Is(ErrorKind::kCorrupt));
}

}  // namespace
}  // namespace dredge
