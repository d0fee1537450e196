// ListMultipartUploads: the request the driver sends, and parsing what servers answer (AWS's
// documented form, url-encoded keys, namespace prefixes, broken pages). Also the remembered
// answer of the conditional-write probe (s3_store.h, capabilities()).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <ctime>
#include <filesystem>
#include <fstream>

#include "common/hash.h"
#include "store/s3/s3_request.h"
#include "store/s3/s3_store.h"
#include "store/s3/s3_uploads_xml.h"

namespace dredge::s3 {
namespace {

namespace fs = std::filesystem;

TEST(S3Uploads, TheListRequestAsksForUrlEncodingAndPagesByBothMarkers) {
  auto loc = ResolveLocation("http://127.0.0.1:9000", "bkt", "pfx", "us-east-1", false);
  ASSERT_TRUE(loc.ok());
  RequestBuilder b(*loc, "us-east-1", Credentials{"AK", "SK", ""}, {}, [] { return 1369353600; });
  HttpRequest first = b.ListMultipartUploads("pfx/", "", "");
  EXPECT_EQ(first.method, "GET");
  EXPECT_EQ(first.url, "http://127.0.0.1:9000/bkt?encoding-type=url&prefix=pfx%2F&uploads=");
  HttpRequest next = b.ListMultipartUploads("pfx/", "pfx/a b", "id+1");
  EXPECT_EQ(next.url,
            "http://127.0.0.1:9000/bkt?encoding-type=url&key-marker=pfx%2Fa%20b&prefix=pfx%2F&"
            "upload-id-marker=id%2B1&uploads=");
}

TEST(S3Uploads, ParsesAwsDocumentedAnswer) {
  auto page = ParseListMultipartUploads(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>bucket</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>
  <NextKeyMarker>my-movie.m2ts</NextKeyMarker>
  <NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker>
  <MaxUploads>3</MaxUploads><IsTruncated>true</IsTruncated>
  <Upload><Key>my-divisor</Key>
    <UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>
    <Initiator><ID>arn:aws:iam::111122223333:user/user1</ID><DisplayName>u</DisplayName></Initiator>
    <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner>
    <StorageClass>STANDARD</StorageClass><Initiated>2010-11-10T20:48:33.000Z</Initiated></Upload>
  <Upload><Key>my-movie.m2ts</Key><UploadId>VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
    <Initiated>2010-11-10T20:48:34.000Z</Initiated></Upload>
</ListMultipartUploadsResult>)");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->uploads.size(), 2u);
  EXPECT_EQ(page->uploads[0].key, "my-divisor");
  EXPECT_EQ(page->uploads[0].upload_id, "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw");
  EXPECT_EQ(page->uploads[0].initiated_ns, 1289422113LL * 1000000000LL);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_key_marker, "my-movie.m2ts");
  EXPECT_EQ(page->next_upload_id_marker, "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ");
}

TEST(S3Uploads, DecodesUrlEncodedKeysAndAcceptsPrefixedElements) {
  auto page = ParseListMultipartUploads(
      R"(<s3:Result xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">)"
      R"(<s3:Upload><s3:Key>p/a+b%26c%0A</s3:Key><s3:UploadId>u1</s3:UploadId>)"
      R"(<s3:Initiated>2024-01-02T03:04:05Z</s3:Initiated></s3:Upload>)"
      R"(<s3:IsTruncated>false</s3:IsTruncated><s3:EncodingType>url</s3:EncodingType></s3:Result>)");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->uploads.size(), 1u);
  EXPECT_EQ(page->uploads[0].key, "p/a b&c\n");
  EXPECT_FALSE(page->truncated);
}

TEST(S3Uploads, AnEmptyListingHasNoUploads) {
  auto page = ParseListMultipartUploads(
      "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->uploads.empty());
}

TEST(S3Uploads, BrokenPagesAreCorrupt) {
  for (const char* xml :
       {"<ListMultipartUploadsResult><IsTruncated>true</IsTruncated></ListMultipartUploadsResult>",
        "<R><Upload><Key>k</Key></Upload></R>", "<R><Upload><Key>k",
        "<Error><Code>InternalError</Code></Error>",
        "<R><Upload><Key>k</Key><UploadId>u</UploadId><Initiated>yesterday</Initiated></Upload></"
        "R>",
        "<!DOCTYPE r [<!ENTITY a \"aaaa\">]><R><Upload><Key>&a;</Key></Upload></R>"}) {
    auto page = ParseListMultipartUploads(xml);
    ASSERT_FALSE(page.ok()) << xml;
    EXPECT_EQ(page.status().kind(), ErrorKind::kCorrupt) << xml;
  }
}

// A remembered probe answer is used without asking the server: here, one that cannot be
// reached. Without one, an unreachable server means "not enforced" and nothing is remembered.
TEST(S3Uploads, TheProbeAnswerIsRememberedPerEndpointAndBucket) {
  std::string tmpl = (fs::temp_directory_path() / "dredge-probe-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  ASSERT_EQ(::setenv("XDG_CACHE_HOME", tmpl.c_str(), 1), 0);
  auto env = [](const std::string& n) -> std::optional<std::string> {
    if (n == "AWS_ACCESS_KEY_ID") return "AK";
    if (n == "AWS_SECRET_ACCESS_KEY") return "SK";
    if (n == "AWS_ENDPOINT_URL") return "http://127.0.0.1:1";
    if (n == "HOME") return "/nonexistent";
    return std::nullopt;
  };
  auto fresh = OpenS3WithEnv("bkt/p", {}, env);
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_FALSE((*fresh)->capabilities().conditional_put);
  const std::string dir = tmpl + "/dredge/s3-capabilities";
  EXPECT_FALSE(fs::exists(dir) && !fs::is_empty(dir)) << "a failed probe must not be remembered";

  fs::create_directories(dir);
  std::ofstream(dir + "/" + Sha256Hex("http://127.0.0.1:1\nbkt").substr(0, 16) + ".json")
      << R"({"format":"dredge-s3-capabilities","version":1,"endpoint":"http://127.0.0.1:1",)"
      << R"("bucket":"bkt","conditional_put":true,"probed_unix":)" << std::time(nullptr) << "}\n";
  auto remembered = OpenS3WithEnv("bkt/other-prefix", {}, env);
  ASSERT_TRUE(remembered.ok());
  EXPECT_TRUE((*remembered)->capabilities().conditional_put);
  EXPECT_TRUE(KeepsIncompleteUploads(**remembered));
  auto other_bucket = OpenS3WithEnv("bkt2/p", {}, env);
  ASSERT_TRUE(other_bucket.ok());
  EXPECT_FALSE((*other_bucket)->capabilities().conditional_put);
  ::unsetenv("XDG_CACHE_HOME");
  fs::remove_all(tmpl);
}

}  // namespace
}  // namespace dredge::s3
