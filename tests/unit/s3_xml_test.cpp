#include "store/s3/s3_xml.h"

#include <gtest/gtest.h>

namespace dredge::s3 {
namespace {

constexpr const char* kListPage = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix>pfx/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents>
    <Key>pfx/a &amp; b&#13;.txt</Key>
    <LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
    <Size>434234</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>pfx/caf&#xE9;</Key>
    <LastModified>2024-01-02T03:04:05Z</LastModified>
    <ETag>"9b2cf535f27731c974343645a3985328-3"</ETag>
    <Size>0</Size>
  </Contents>
</ListBucketResult>)";

TEST(S3Xml, ParsesListPageAndDecodesEntities) {
  auto page = ParseListObjectsV2(kListPage);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "pfx/a & b\r.txt");
  EXPECT_EQ(page->objects[0].size, 434234u);
  EXPECT_EQ(page->objects[0].etag, "fba9dede5f27731c9771645a39863328");
  EXPECT_EQ(page->objects[0].mtime_ns, 1255369830LL * 1000000000LL);
  EXPECT_EQ(page->objects[1].key, "pfx/caf\xc3\xa9");
  EXPECT_EQ(page->objects[1].etag, "9b2cf535f27731c974343645a3985328-3");
  EXPECT_EQ(page->objects[1].size, 0u);
}

TEST(S3Xml, DecodesUrlEncodedKeysOnlyWhenTheServerSaysSo) {
  const std::string encoded =
      "<ListBucketResult><IsTruncated>false</IsTruncated>"
      "<Contents><Key>a+b%2Bc%0Dd%25</Key><Size>1</Size><ETag>x</ETag>"
      "<LastModified>2024-01-02T03:04:05.000Z</LastModified></Contents>"
      "<EncodingType>url</EncodingType></ListBucketResult>";
  auto page = ParseListObjectsV2(encoded);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "a b+c\rd%");
  EXPECT_FALSE(page->truncated);

  // A server that ignores encoding-type=url (the test server) sends keys raw: keep them.
  std::string raw = encoded;
  raw.erase(raw.find("<EncodingType>"), std::string("<EncodingType>url</EncodingType>").size());
  auto page2 = ParseListObjectsV2(raw);
  ASSERT_TRUE(page2.ok());
  EXPECT_EQ(page2->objects[0].key, "a+b%2Bc%0Dd%25");
}

TEST(S3Xml, EmptyListing) {
  auto page = ParseListObjectsV2(
      "<ListBucketResult><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>"
      "</ListBucketResult>");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->objects.empty());
}

TEST(S3Xml, RejectsBrokenListings) {
  EXPECT_EQ(ParseListObjectsV2("<ListBucketResult><Contents><Key>a</Key>").status().kind(),
            ErrorKind::kCorrupt);
  EXPECT_EQ(ParseListObjectsV2("").status().kind(), ErrorKind::kCorrupt);
  EXPECT_EQ(ParseListObjectsV2("<Other/>").status().kind(), ErrorKind::kCorrupt);
  EXPECT_EQ(ParseListObjectsV2("<ListBucketResult><Contents><Key>a</Key><Size>x</Size>"
                               "</Contents></ListBucketResult>")
                .status()
                .kind(),
            ErrorKind::kCorrupt);
  EXPECT_EQ(ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated>"
                               "</ListBucketResult>")
                .status()
                .kind(),
            ErrorKind::kCorrupt);
}

TEST(S3Xml, RefusesEntityDeclarations) {
  const char* bomb =
      "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;\">]>"
      "<ListBucketResult><Contents><Key>&b;</Key></Contents></ListBucketResult>";
  EXPECT_EQ(ParseListObjectsV2(bomb).status().kind(), ErrorKind::kCorrupt);
}

TEST(S3Xml, ParsesErrorBodies) {
  auto e = ParseErrorBody(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>"
      "<Message>The resource you requested does not exist</Message>"
      "<Resource>/mybucket/myfoto.jpg</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "NoSuchKey");
  EXPECT_EQ(e->message, "The resource you requested does not exist");
  EXPECT_EQ(e->request_id, "4442587FB7D0A2F9");
  EXPECT_FALSE(ParseErrorBody("").has_value());
  EXPECT_FALSE(ParseErrorBody("<html><body>Bad Gateway</body></html>").has_value());
  EXPECT_FALSE(ParseErrorBody("not xml at all").has_value());
}

TEST(S3Xml, ParsesMultipartAndCopyResults) {
  auto id = ParseInitiateMultipartUpload(
      "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
      "<UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>"
      "</InitiateMultipartUploadResult>");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
  EXPECT_EQ(ParseInitiateMultipartUpload("<InitiateMultipartUploadResult/>").status().kind(),
            ErrorKind::kCorrupt);

  auto done = ParseEtagResult(
      "<CompleteMultipartUploadResult><Location>x</Location>"
      "<ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag></CompleteMultipartUploadResult>");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->etag, "3858f62230ac3c915f300c664312c11f-9");
  EXPECT_FALSE(done->error.has_value());

  auto copy = ParseEtagResult(
      "<CopyObjectResult><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
      "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag></CopyObjectResult>");
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(copy->etag, "9b2cf535f27731c974343645a3985328");

  // S3 can answer 200 and then report a failure in the body.
  auto late = ParseEtagResult(
      "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try "
      "again.</Message></Error>");
  ASSERT_TRUE(late.ok());
  ASSERT_TRUE(late->error.has_value());
  EXPECT_EQ(late->error->code, "InternalError");
}

TEST(S3Xml, BuildsCompleteMultipartBody) {
  EXPECT_EQ(BuildCompleteMultipartUpload({{1, "aa"}, {2, "b<b"}}),
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;aa&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;b&lt;b&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
}

TEST(S3Xml, UrlDecode) {
  EXPECT_EQ(*UrlDecode("a%2Fb+c%e2%82%AC"), "a/b c\xe2\x82\xac");
  EXPECT_EQ(UrlDecode("a%2").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(UrlDecode("a%zz").status().kind(), ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace dredge::s3
