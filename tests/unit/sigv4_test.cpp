// The signer against the examples AWS publishes in "Signature Calculations for the
// Authorization Header: Transferring Payload in a Single Chunk" (Amazon S3 API reference):
// access key AKIAIOSFODNN7EXAMPLE, secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY,
// 2013-05-24T00:00:00Z, us-east-1, bucket examplebucket. The expected canonical requests,
// string-to-sign hashes and signatures are the published values, checked against several
// independent implementations' test suites.
#include "store/s3/sigv4.h"

#include <gtest/gtest.h>

namespace dredge::s3 {
namespace {

const Credentials kCreds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
constexpr int64_t k20130524 = 1369353600;  // 2013-05-24T00:00:00Z
constexpr const char* kHost = "examplebucket.s3.amazonaws.com";

std::string Signature(const SigningResult& r) {
  auto pos = r.authorization.find("Signature=");
  return pos == std::string::npos ? "" : r.authorization.substr(pos + 10);
}

std::string LastLine(const std::string& s) {
  return s.substr(s.rfind('\n') + 1);
}

TEST(SigV4, AwsExampleGetObjectWithRange) {
  SigningInput in{
      "GET", "/test.txt", {}, {{"Host", kHost}, {"Range", "bytes=0-9"}}, kEmptyPayloadSha256};
  SigningResult r = SignV4(in, kCreds, "us-east-1", "s3", k20130524);
  EXPECT_EQ(r.canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(r.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(r.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, AwsExamplePutObject) {
  const std::string payload_hash =
      "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
  SigningInput in{"PUT",
                  UriEncode("/test$file.text", true),
                  {},
                  {{"Host", kHost},
                   {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                   {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                  payload_hash};
  EXPECT_EQ(in.canonical_uri, "/test%24file.text");
  SigningResult r = SignV4(in, kCreds, "us-east-1", "s3", k20130524);
  EXPECT_EQ(r.signed_headers, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  EXPECT_EQ(LastLine(r.string_to_sign),
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(Signature(r), "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, AwsExampleGetBucketLifecycle) {
  SigningInput in{"GET", "/", {{"lifecycle", ""}}, {{"Host", kHost}}, kEmptyPayloadSha256};
  SigningResult r = SignV4(in, kCreds, "us-east-1", "s3", k20130524);
  EXPECT_EQ(r.canonical_request.substr(0, 17), "GET\n/\nlifecycle=\n");
  EXPECT_EQ(LastLine(r.string_to_sign),
            "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca");
  EXPECT_EQ(Signature(r), "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, AwsExampleListObjectsSortsQuery) {
  // Given out of order on purpose: the signer sorts.
  SigningInput in{
      "GET", "/", {{"prefix", "J"}, {"max-keys", "2"}}, {{"Host", kHost}}, kEmptyPayloadSha256};
  SigningResult r = SignV4(in, kCreds, "us-east-1", "s3", k20130524);
  EXPECT_EQ(r.canonical_request.substr(0, 26), "GET\n/\nmax-keys=2&prefix=J\n");
  EXPECT_EQ(LastLine(r.string_to_sign),
            "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7");
  EXPECT_EQ(Signature(r), "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, ReturnsTheHeadersItSigned) {
  SigningInput in{"GET", "/", {}, {{"Host", kHost}}, kEmptyPayloadSha256};
  Credentials with_token = kCreds;
  with_token.session_token = "FQoGZXIvYXdzEXAMPLETOKEN";
  SigningResult r = SignV4(in, with_token, "us-east-1", "s3", k20130524);
  HeaderList want{{"x-amz-content-sha256", kEmptyPayloadSha256},
                  {"x-amz-date", "20130524T000000Z"},
                  {"x-amz-security-token", "FQoGZXIvYXdzEXAMPLETOKEN"}};
  EXPECT_EQ(r.add_headers, want);
  EXPECT_EQ(r.signed_headers, "host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
  EXPECT_EQ(r.authorization.find(kCreds.secret_access_key), std::string::npos);
}

TEST(SigV4, LeavesTransportHeadersUnsigned) {
  SigningInput base{"PUT", "/k", {}, {{"Host", kHost}}, kUnsignedPayload};
  SigningInput noisy = base;
  noisy.headers.push_back({"Expect", ""});
  noisy.headers.push_back({"User-Agent", "dredge/0.1"});
  noisy.headers.push_back({"Content-Length", "12"});
  noisy.headers.push_back({"X-Empty", "  "});
  SigningResult a = SignV4(base, kCreds, "us-east-1", "s3", k20130524);
  SigningResult b = SignV4(noisy, kCreds, "us-east-1", "s3", k20130524);
  EXPECT_EQ(b.signed_headers, "host;x-amz-content-sha256;x-amz-date");
  EXPECT_EQ(a.authorization, b.authorization);
}

TEST(SigV4, CanonicalHeaderValuesAreTrimmedAndCollapsed) {
  SigningInput in{
      "GET", "/", {}, {{"HOST", kHost}, {"X-Amz-Meta-A", "  a   b  c "}}, kEmptyPayloadSha256};
  SigningResult r = SignV4(in, kCreds, "us-east-1", "s3", k20130524);
  EXPECT_NE(r.canonical_request.find("\nx-amz-meta-a:a b c\n"), std::string::npos);
}

TEST(SigV4, WrongSecretChangesSignature) {
  SigningInput in{"GET", "/", {}, {{"Host", kHost}}, kEmptyPayloadSha256};
  Credentials wrong = kCreds;
  wrong.secret_access_key += "x";
  EXPECT_NE(SignV4(in, kCreds, "us-east-1", "s3", k20130524).authorization,
            SignV4(in, wrong, "us-east-1", "s3", k20130524).authorization);
}

TEST(SigV4, UriEncodeFollowsAwsRules) {
  EXPECT_EQ(UriEncode("AZaz09-._~", false), "AZaz09-._~");
  EXPECT_EQ(UriEncode("a b+c%d#e?f=g&h:i", false), "a%20b%2Bc%25d%23e%3Ff%3Dg%26h%3Ai");
  EXPECT_EQ(UriEncode("!'()*", false), "%21%27%28%29%2A");
  EXPECT_EQ(UriEncode("a/b//c", true), "a/b//c");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(UriEncode("\xc3\xa9", true), "%C3%A9");  // é, upper-case hex
  EXPECT_EQ(UriEncode(std::string("\x00\xff", 2), true), "%00%FF");
}

TEST(SigV4, CanonicalQuerySortsByEncodedNameThenValue) {
  QueryList q{{"prefix", "a/b c"}, {"b", "2"}, {"b", "1"}, {"A", ""}, {"uploads", ""}};
  EXPECT_EQ(CanonicalQueryString(q), "A=&b=1&b=2&prefix=a%2Fb%20c&uploads=");
}

TEST(SigV4, DateFormats) {
  EXPECT_EQ(AmzDate(k20130524), "20130524T000000Z");
  EXPECT_EQ(AmzDay(k20130524 + 86399), "20130524");
  EXPECT_EQ(AmzDate(951782400 + 3723), "20000229T010203Z");
}

}  // namespace
}  // namespace dredge::s3
