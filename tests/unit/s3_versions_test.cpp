// Object versions on S3 without a server: the requests the driver sends (ListObjectVersions
// paging, ?versionId= reads, PutObjectRetention with Content-MD5) and parsing the
// ListObjectVersions answers servers give (AWS's documented form, moto's order, url-encoded
// keys, broken pages).
#include <gtest/gtest.h>

#include "common/hash.h"
#include "store/byte_io.h"
#include "store/s3/s3_request.h"
#include "store/s3/s3_versions_xml.h"

namespace dredge::s3 {
namespace {

RequestBuilder Builder() {
  auto loc = ResolveLocation("http://127.0.0.1:9000", "bkt", "pfx", "us-east-1", false);
  EXPECT_TRUE(loc.ok());
  return RequestBuilder(*loc, "us-east-1", Credentials{"AK", "SK", ""}, {},
                        [] { return 1369353600; });
}

std::string Header(const HttpRequest& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return "";
}

TEST(S3Versions, RequestsNameTheVersionAndPageByBothMarkers) {
  RequestBuilder b = Builder();
  EXPECT_EQ(b.ListVersions("pfx/", "", "").url,
            "http://127.0.0.1:9000/bkt?encoding-type=url&prefix=pfx%2F&versions=");
  EXPECT_EQ(b.ListVersions("pfx/", "pfx/a b", "v+1").url,
            "http://127.0.0.1:9000/bkt?encoding-type=url&key-marker=pfx%2Fa%20b&prefix=pfx%2F&"
            "version-id-marker=v%2B1&versions=");
  EXPECT_EQ(b.Get("pfx/k", std::nullopt, "v/1").url,
            "http://127.0.0.1:9000/bkt/pfx/k?versionId=v%2F1");
  EXPECT_EQ(b.Head("pfx/k", "v1").url, "http://127.0.0.1:9000/bkt/pfx/k?versionId=v1");
  EXPECT_EQ(b.Head("pfx/k").url, "http://127.0.0.1:9000/bkt/pfx/k");
}

TEST(S3Versions, RetentionIsPutWithWholeSecondsAndContentMd5) {
  std::string xml = BuildRetention("GOVERNANCE", 1800000000);
  EXPECT_NE(xml.find("<Mode>GOVERNANCE</Mode>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<RetainUntilDate>2027-01-15T08:00:00Z</RetainUntilDate>"),
            std::string::npos)
      << xml;
  MemorySource body(xml);
  HttpRequest r = Builder().PutRetention("pfx/k", "v1", xml, &body);
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.url, "http://127.0.0.1:9000/bkt/pfx/k?retention=&versionId=v1");
  EXPECT_EQ(Header(r, "Content-MD5"), Base64Encode(FromHex(Md5Hex(xml)).value()));
  EXPECT_EQ(Builder().PutRetention("pfx/k", "", xml, &body).url,
            "http://127.0.0.1:9000/bkt/pfx/k?retention=");
}

TEST(S3Versions, ParsesAwsDocumentedAnswerInOrder) {
  auto page = ParseListObjectVersions(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <IsTruncated>true</IsTruncated><NextKeyMarker>pfx/b</NextKeyMarker>
  <NextVersionIdMarker>b1</NextVersionIdMarker>
  <DeleteMarker><Key>pfx/a</Key><VersionId>a3</VersionId><IsLatest>true</IsLatest>
    <LastModified>2009-11-12T17:50:32.000Z</LastModified></DeleteMarker>
  <Version><Key>pfx/a</Key><VersionId>a2</VersionId><IsLatest>false</IsLatest>
    <LastModified>2009-11-12T17:50:31.000Z</LastModified><ETag>"abc"</ETag><Size>434</Size></Version>
  <Version><Key>pfx/b</Key><VersionId>b1</VersionId><IsLatest>true</IsLatest>
    <LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>"def"</ETag><Size>0</Size></Version>
</ListVersionsResult>)");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->versions.size(), 3u);
  EXPECT_TRUE(page->versions[0].delete_marker);
  EXPECT_TRUE(page->versions[0].is_latest);
  EXPECT_EQ(page->versions[1].version_id, "a2");
  EXPECT_EQ(page->versions[1].etag, "abc");
  EXPECT_EQ(page->versions[1].size, 434u);
  EXPECT_EQ(page->versions[2].key, "pfx/b");
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_key_marker, "pfx/b");
  EXPECT_EQ(page->next_version_id_marker, "b1");
}

TEST(S3Versions, MotosMarkersAfterVersionsAreOrderedAsAwsDocumentsAndKeysDecoded) {
  auto page = ParseListObjectVersions(R"(<ListVersionsResult>
  <EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>
  <Version><Key>a%20b</Key><VersionId>v2</VersionId><IsLatest>false</IsLatest>
    <LastModified>2026-01-01T00:00:01.500Z</LastModified><ETag>"x"</ETag><Size>3</Size></Version>
  <Version><Key>c</Key><VersionId>c1</VersionId><IsLatest>true</IsLatest>
    <LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"y"</ETag><Size>1</Size></Version>
  <DeleteMarker><Key>a%20b</Key><VersionId>m3</VersionId><IsLatest>true</IsLatest>
    <LastModified>2026-01-01T00:00:01.500Z</LastModified></DeleteMarker>
</ListVersionsResult>)");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->versions.size(), 3u);
  EXPECT_EQ(page->versions[0].version_id, "m3");  // the latest first, even at an equal time
  EXPECT_EQ(page->versions[0].key, "a b");
  EXPECT_EQ(page->versions[1].version_id, "v2");
  EXPECT_EQ(page->versions[2].version_id, "c1");
}

TEST(S3Versions, BrokenPagesAreCorrupt) {
  for (const char* xml :
       {"<ListVersionsResult><IsTruncated>true</IsTruncated></ListVersionsResult>",
        "<ListVersionsResult><Version><Key>k</Key></Version></ListVersionsResult>",
        "<ListVersionsResult><Version><Key>k</Key><VersionId>v</VersionId><Size>x</Size>"
        "</Version></ListVersionsResult>",
        "<Error><Code>InternalError</Code></Error>", "<ListVersionsResult>"}) {
    auto page = ParseListObjectVersions(xml);
    EXPECT_EQ(page.status().kind(), ErrorKind::kCorrupt) << xml;
  }
}

}  // namespace
}  // namespace dredge::s3
