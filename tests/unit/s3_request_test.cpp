// The exact requests the s3:// driver would send (addressing, key and copy-source encoding,
// write headers, conditions, multipart), and how S3 answers map to error kinds. No server:
// these cover, byte for byte, what the test server cannot check (copy-source decoding,
// conditional puts, SSE, storage classes).
#include "store/s3/s3_request.h"

#include <gtest/gtest.h>

#include "common/hash.h"
#include "store/s3/s3_errors.h"

namespace dredge::s3 {
namespace {

constexpr int64_t k20130524 = 1369353600;
const Credentials kCreds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

RequestBuilder Builder(const std::string& endpoint = "", const std::string& prefix = "pfx",
                       WriteSettings write = {}, bool path_style = false) {
  auto loc = ResolveLocation(endpoint, "examplebucket", prefix, "us-east-1", path_style);
  EXPECT_TRUE(loc.ok()) << loc.status().ToString();
  return RequestBuilder(*loc, "us-east-1", kCreds, write, [] { return k20130524; });
}

std::string Target(const HttpRequest& r) {
  std::string rendered = RenderRequest(r);
  return rendered.substr(0, rendered.find("\r\n"));
}

std::string HeaderOf(const HttpRequest& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return "<none>";
}

std::string SignedHeaders(const HttpRequest& r) {
  std::string auth = HeaderOf(r, "Authorization");
  auto a = auth.find("SignedHeaders=") + 14;
  return auth.substr(a, auth.find(',', a) - a);
}

TEST(S3Request, AddressingStyles) {
  auto aws = ResolveLocation("", "examplebucket", "", "eu-west-1", false);
  ASSERT_TRUE(aws.ok());
  EXPECT_FALSE(aws->path_style);
  EXPECT_EQ(aws->scheme, "https");
  EXPECT_EQ(aws->authority, "examplebucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(ResolveLocation("", "b-1", "", "cn-north-1", false)->authority,
            "b-1.s3.cn-north-1.amazonaws.com.cn");

  auto ip = ResolveLocation("http://127.0.0.1:9000", "examplebucket", "", "us-east-1", false);
  ASSERT_TRUE(ip.ok());
  EXPECT_TRUE(ip->path_style);
  EXPECT_EQ(ip->authority, "127.0.0.1:9000");
  EXPECT_TRUE(ResolveLocation("http://localhost:9000/", "bkt", "", "r", false)->path_style);
  EXPECT_TRUE(ResolveLocation("http://[::1]:9000", "bkt", "", "r", false)->path_style);
  auto minio = ResolveLocation("https://minio.example.com", "bkt", "", "r", false);
  EXPECT_FALSE(minio->path_style);
  EXPECT_EQ(minio->authority, "bkt.minio.example.com");
  EXPECT_TRUE(ResolveLocation("https://minio.example.com", "bkt", "", "r", true)->path_style);
  // Dots in the bucket would not match a *.host certificate: path-style.
  EXPECT_TRUE(ResolveLocation("", "my.bucket", "", "us-east-1", false)->path_style);
  auto based = ResolveLocation("https://gw.example.com/s3/", "bkt", "a/b/", "r", true);
  EXPECT_EQ(based->base_path, "/s3");
  EXPECT_EQ(based->prefix, "a/b");

  EXPECT_EQ(ResolveLocation("minio:9000", "bkt", "", "r", false).status().kind(),
            ErrorKind::kUsage);
  EXPECT_EQ(ResolveLocation("ftp://h", "bkt", "", "r", false).status().kind(), ErrorKind::kUsage);
  EXPECT_EQ(ResolveLocation("", "", "", "r", false).status().kind(), ErrorKind::kUsage);
  EXPECT_EQ(ResolveLocation("", "bad/bucket?", "", "r", false).status().kind(), ErrorKind::kUsage);
}

TEST(S3Request, KeysArePercentEncodedByteExact) {
  RequestBuilder b = Builder();
  auto target = [&](const std::string& key) { return Target(b.Get(*b.FullKey(key), {})); };
  EXPECT_EQ(target("a+b%c#d?e=f&g:h~i j"), "GET /pfx/a%2Bb%25c%23d%3Fe%3Df%26g%3Ah~i%20j HTTP/1.1");
  // NFC and NFD spellings of "café" are different keys and stay different bytes.
  EXPECT_EQ(target("caf\xc3\xa9"), "GET /pfx/caf%C3%A9 HTTP/1.1");
  EXPECT_EQ(target("cafe\xcc\x81"), "GET /pfx/cafe%CC%81 HTTP/1.1");
  // No normalisation of the path: "//", "." and ".." go out as given.
  EXPECT_EQ(target("a//b/./c/../d/"), "GET /pfx/a//b/./c/../d/ HTTP/1.1");
  EXPECT_EQ(target("/lead"), "GET /pfx//lead HTTP/1.1");
  EXPECT_EQ(target("ctl\r\n\x01"), "GET /pfx/ctl%0D%0A%01 HTTP/1.1");

  RequestBuilder path_style = Builder("http://127.0.0.1:9000", "");
  HttpRequest r = path_style.Get(*path_style.FullKey("x y"), {});
  EXPECT_EQ(r.url, "http://127.0.0.1:9000/examplebucket/x%20y");
  EXPECT_EQ(HeaderOf(r, "Host"), "127.0.0.1:9000");

  EXPECT_EQ(b.FullKey("").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_TRUE(b.FullKey(std::string(1020, 'k')).ok());  // 1020 + "pfx/" = 1024
  EXPECT_EQ(b.FullKey(std::string(1021, 'k')).status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(b.RelativeKey("pfx/a/b"), "a/b");
  EXPECT_EQ(b.ListPrefix("a/"), "pfx/a/");
}

TEST(S3Request, CopySourceIsEncodedBucketAndKey) {
  RequestBuilder b = Builder();
  auto req = b.Copy(*b.FullKey("src/a+b#c?d=e&f:g,h;i@j$k l"), *b.FullKey("dst"), std::nullopt);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(HeaderOf(*req, "x-amz-copy-source"),
            "/examplebucket/pfx/src/a%2Bb%23c%3Fd%3De%26f%3Ag%2Ch%3Bi%40j%24k%20l");
  EXPECT_EQ(HeaderOf(*req, "x-amz-metadata-directive"), "<none>");
  EXPECT_EQ(Target(*req), "PUT /pfx/dst HTTP/1.1");
  EXPECT_EQ(SignedHeaders(*req), "host;x-amz-content-sha256;x-amz-copy-source;x-amz-date");

  auto replace = b.Copy("pfx/s", "pfx/d", Metadata{{"md5", "abc"}});
  ASSERT_TRUE(replace.ok());
  EXPECT_EQ(HeaderOf(*replace, "x-amz-metadata-directive"), "REPLACE");
  EXPECT_EQ(HeaderOf(*replace, "x-amz-meta-md5"), "abc");
}

TEST(S3Request, PutCarriesMd5MetadataConditionAndWriteSettings) {
  RequestBuilder b = Builder("", "pfx", {"AES256", "", "STANDARD_IA"});
  PutOptions po;
  po.metadata = {{"md5", "9e107d9d372bb6826bd81d3542a419d6"}, {"mtime", "1700000000"}};
  po.if_absent = true;
  auto req =
      b.Put(*b.FullKey("dir/file name.txt"), po, "9e107d9d372bb6826bd81d3542a419d6", nullptr);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  std::string rendered = RenderRequest(*req);
  std::string auth = HeaderOf(*req, "Authorization");
  EXPECT_EQ(rendered,
            "PUT /pfx/dir/file%20name.txt HTTP/1.1\r\n"
            "Host: examplebucket.s3.us-east-1.amazonaws.com\r\n"
            "Content-MD5: nhB9nTcrtoJr2B01QqQZ1g==\r\n"
            "Content-Type: application/octet-stream\r\n"
            "If-None-Match: *\r\n"
            "x-amz-meta-md5: 9e107d9d372bb6826bd81d3542a419d6\r\n"
            "x-amz-meta-mtime: 1700000000\r\n"
            "x-amz-server-side-encryption: AES256\r\n"
            "x-amz-storage-class: STANDARD_IA\r\n"
            "x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n"
            "x-amz-date: 20130524T000000Z\r\n"
            "Authorization: " +
                auth + "\r\n\r\n");
  EXPECT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
                       "aws4_request,",
                       0),
            0u);
  // Everything that changes what is stored is signed.
  EXPECT_EQ(SignedHeaders(*req),
            "content-md5;content-type;host;if-none-match;x-amz-content-sha256;x-amz-date;"
            "x-amz-meta-md5;x-amz-meta-mtime;x-amz-server-side-encryption;x-amz-storage-class");
}

TEST(S3Request, KmsHeaders) {
  RequestBuilder b = Builder("", "", {"aws:kms", "arn:aws:kms:us-east-1:1:key/k", ""});
  auto req = b.Put("k", {}, "9e107d9d372bb6826bd81d3542a419d6", nullptr);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(HeaderOf(*req, "x-amz-server-side-encryption"), "aws:kms");
  EXPECT_EQ(HeaderOf(*req, "x-amz-server-side-encryption-aws-kms-key-id"),
            "arn:aws:kms:us-east-1:1:key/k");
  EXPECT_EQ(HeaderOf(*req, "x-amz-storage-class"), "<none>");
  EXPECT_EQ(HeaderOf(*req, "If-None-Match"), "<none>");
  auto copy = b.Copy("a", "b", std::nullopt);
  EXPECT_EQ(HeaderOf(*copy, "x-amz-server-side-encryption"), "aws:kms");
}

TEST(S3Request, WriteSettingsValidation) {
  EXPECT_TRUE(ValidateWriteSettings({"", "", ""}).ok());
  EXPECT_TRUE(ValidateWriteSettings({"AES256", "", "INTELLIGENT_TIERING"}).ok());
  EXPECT_TRUE(ValidateWriteSettings({"aws:kms", "key", "ONEZONE_IA"}).ok());
  for (const char* archive : {"GLACIER", "DEEP_ARCHIVE", "GLACIER_IR"}) {
    Status s = ValidateWriteSettings({"", "", archive});
    EXPECT_EQ(s.kind(), ErrorKind::kUsage) << archive;
    EXPECT_NE(s.message().find("restore"), std::string::npos) << s.message();
  }
  EXPECT_EQ(ValidateWriteSettings({"", "", "CHEAP"}).kind(), ErrorKind::kUsage);
  EXPECT_EQ(ValidateWriteSettings({"aws:kms:dsse", "", ""}).kind(), ErrorKind::kUsage);
  EXPECT_EQ(ValidateWriteSettings({"AES256", "key", ""}).kind(), ErrorKind::kUsage);
}

TEST(S3Request, MetadataValidation) {
  EXPECT_TRUE(ValidateMetadata({{"a-b_c.d9", "any printable ~!@#$%^&*()"}}, "k").ok());
  EXPECT_EQ(ValidateMetadata({{"Upper", "x"}}, "k").kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(ValidateMetadata({{"", "x"}}, "k").kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(ValidateMetadata({{"a", " padded"}}, "k").kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(ValidateMetadata({{"a", "caf\xc3\xa9"}}, "k").kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(ValidateMetadata({{"a", "x\ny"}}, "k").kind(), ErrorKind::kInvalidArgument);
}

TEST(S3Request, GetRangesAndListQuery) {
  RequestBuilder b = Builder();
  EXPECT_EQ(HeaderOf(b.Get("pfx/k", ByteRange{10, 19}), "Range"), "bytes=10-19");
  EXPECT_EQ(HeaderOf(b.Get("pfx/k", ByteRange{5, UINT64_MAX}), "Range"), "bytes=5-");
  EXPECT_EQ(HeaderOf(b.Get("pfx/k", std::nullopt), "Range"), "<none>");
  EXPECT_EQ(SignedHeaders(b.Get("pfx/k", ByteRange{0, 0})),
            "host;range;x-amz-content-sha256;x-amz-date");

  EXPECT_EQ(Target(b.List(b.ListPrefix("a b/"), "")),
            "GET /?encoding-type=url&list-type=2&prefix=pfx%2Fa%20b%2F HTTP/1.1");
  EXPECT_EQ(Target(b.List("", "1ueGcx/+=")),
            "GET /?continuation-token=1ueGcx%2F%2B%3D&encoding-type=url&list-type=2 HTTP/1.1");
  RequestBuilder ps = Builder("http://127.0.0.1:1", "");
  EXPECT_EQ(Target(ps.List("", "")), "GET /examplebucket?encoding-type=url&list-type=2 HTTP/1.1");
}

TEST(S3Request, MultipartRequests) {
  RequestBuilder b = Builder();
  PutOptions po;
  po.metadata = {{"md5", "9e107d9d372bb6826bd81d3542a419d6"}};
  auto init = b.InitiateMultipart("pfx/big", po);
  ASSERT_TRUE(init.ok());
  EXPECT_EQ(Target(*init), "POST /pfx/big?uploads= HTTP/1.1");
  EXPECT_EQ(HeaderOf(*init, "x-amz-meta-md5"), "9e107d9d372bb6826bd81d3542a419d6");

  auto part = b.UploadPart("pfx/big", "id/+=", 7, "9e107d9d372bb6826bd81d3542a419d6", nullptr);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(Target(*part), "PUT /pfx/big?partNumber=7&uploadId=id%2F%2B%3D HTTP/1.1");
  EXPECT_EQ(HeaderOf(*part, "Content-MD5"), "nhB9nTcrtoJr2B01QqQZ1g==");
  EXPECT_EQ(HeaderOf(*part, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");

  const std::string xml = "<CompleteMultipartUpload/>";
  HttpRequest done = b.CompleteMultipart("pfx/big", "id", xml, nullptr, true);
  EXPECT_EQ(Target(done), "POST /pfx/big?uploadId=id HTTP/1.1");
  EXPECT_EQ(HeaderOf(done, "If-None-Match"), "*");
  // The small XML body is signed by its SHA-256, not sent UNSIGNED.
  EXPECT_EQ(HeaderOf(done, "x-amz-content-sha256"), Sha256Hex(xml));
  EXPECT_EQ(Target(b.AbortMultipart("pfx/big", "id")), "DELETE /pfx/big?uploadId=id HTTP/1.1");
}

TEST(S3Request, SwitchingRegionOnAwsMovesTheHostAndResignsEarlierRequests) {
  auto virt = Builder();  // AWS endpoint, virtual-hosted
  HttpRequest before = virt.Get("pfx/k", std::nullopt);
  EXPECT_EQ(before.url, "https://examplebucket.s3.us-east-1.amazonaws.com/pfx/k");
  EXPECT_EQ(before.signed_region, "us-east-1");
  EXPECT_TRUE(virt.SetRegion("eu-west-1"));
  EXPECT_FALSE(virt.SetRegion("eu-west-1"));
  EXPECT_EQ(virt.region(), "eu-west-1");
  for (const HttpRequest& r : {virt.Resign(before), virt.Get("pfx/k", std::nullopt)}) {
    EXPECT_EQ(r.url, "https://examplebucket.s3.eu-west-1.amazonaws.com/pfx/k");
    EXPECT_EQ(HeaderOf(r, "Host"), "examplebucket.s3.eu-west-1.amazonaws.com");
    EXPECT_NE(HeaderOf(r, "Authorization").find("/20130524/eu-west-1/s3/aws4_request"),
              std::string::npos);
    EXPECT_EQ(r.signed_region, "eu-west-1");
  }
  // --path-style on AWS: the regional host, the bucket in the path.
  auto path = Builder("", "pfx", {}, /*path_style=*/true);
  path.SetRegion("ap-southeast-2");
  EXPECT_EQ(path.Head("pfx/k").url, "https://s3.ap-southeast-2.amazonaws.com/examplebucket/pfx/k");
  // A custom endpoint keeps its host; only the signature's region changes.
  auto ip = Builder("http://127.0.0.1:9000");
  ip.SetRegion("eu-west-1");
  HttpRequest r = ip.Head("pfx/k");
  EXPECT_EQ(r.url, "http://127.0.0.1:9000/examplebucket/pfx/k");
  EXPECT_NE(HeaderOf(r, "Authorization").find("/eu-west-1/s3/"), std::string::npos);
}

TEST(S3Errors, StatusAndCodeMapToKinds) {
  ErrorContext ctx{"GET", "dir/k", "s3://b/p", "environment"};
  auto kind = [&](long status, const std::string& code) {
    std::optional<S3ErrorBody> body;
    if (!code.empty()) body = S3ErrorBody{code, "msg", "RID"};
    return StatusFromS3Error(status, body, "", ctx).kind();
  };
  EXPECT_EQ(kind(404, "NoSuchKey"), ErrorKind::kNotFound);
  EXPECT_EQ(kind(404, ""), ErrorKind::kNotFound);  // HEAD has no body
  EXPECT_EQ(kind(404, "NoSuchBucket"), ErrorKind::kPermanent);
  EXPECT_EQ(kind(412, "PreconditionFailed"), ErrorKind::kPreconditionFailed);
  EXPECT_EQ(kind(416, "InvalidRange"), ErrorKind::kInvalidArgument);
  for (long s : {429L, 500L, 502L, 503L, 504L}) EXPECT_EQ(kind(s, ""), ErrorKind::kRetryable) << s;
  EXPECT_EQ(kind(503, "SlowDown"), ErrorKind::kRetryable);
  EXPECT_EQ(kind(400, "RequestTimeout"), ErrorKind::kRetryable);
  EXPECT_EQ(kind(200, "InternalError"), ErrorKind::kRetryable);  // error inside a 200
  EXPECT_EQ(kind(409, "ConditionalRequestConflict"), ErrorKind::kRetryable);
  EXPECT_EQ(kind(403, "SignatureDoesNotMatch"), ErrorKind::kPermanent);
  EXPECT_EQ(kind(403, "AccessDenied"), ErrorKind::kPermanent);
  EXPECT_EQ(kind(400, "InvalidArgument"), ErrorKind::kPermanent);
  EXPECT_EQ(kind(400, "BadDigest"), ErrorKind::kCorrupt);
  EXPECT_EQ(kind(501, "NotImplemented"), ErrorKind::kUnsupported);

  Status auth =
      StatusFromS3Error(403, S3ErrorBody{"SignatureDoesNotMatch", "bad sig", "R1"}, "", ctx);
  EXPECT_EQ(auth.message(),
            "S3 GET 'dir/k' in s3://b/p failed: 403 SignatureDoesNotMatch: bad sig (request id "
            "R1); check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the profile (credentials "
            "from environment)");
  Status skew = StatusFromS3Error(403, S3ErrorBody{"RequestTimeTooSkewed", "", ""}, "", ctx);
  EXPECT_NE(skew.message().find("clock"), std::string::npos);

  Status slow = StatusFromS3Error(503, S3ErrorBody{"SlowDown", "", ""}, "7", ctx);
  EXPECT_EQ(slow.retry_after_ms(), 7000);
  EXPECT_EQ(StatusFromS3Error(500, std::nullopt, "", ctx).retry_after_ms(), -1);
}

TEST(S3Errors, RetryAfterForms) {
  EXPECT_EQ(ParseRetryAfterMs("", 0), -1);
  EXPECT_EQ(ParseRetryAfterMs("0", 0), 0);
  EXPECT_EQ(ParseRetryAfterMs("120", 0), 120000);
  EXPECT_EQ(ParseRetryAfterMs("Fri, 24 May 2013 00:00:05 GMT", k20130524), 5000);
  EXPECT_EQ(ParseRetryAfterMs("Fri, 24 May 2013 00:00:05 GMT", k20130524 + 60), 0);
  EXPECT_EQ(ParseRetryAfterMs("soon", 0), -1);
}

}  // namespace
}  // namespace dredge::s3
