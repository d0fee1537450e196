// S3 keys must be UTF-8: the request builder refuses any other key by name (InvalidArgument,
// never retried) instead of sending it and getting a misleading signature error back.
#include <gtest/gtest.h>

#include "store/s3/s3_request.h"

namespace dredge::s3 {
namespace {

RequestBuilder Builder() {
  auto loc = ResolveLocation("", "examplebucket", "pfx", "us-east-1", false);
  EXPECT_TRUE(loc.ok()) << loc.status().ToString();
  return RequestBuilder(*loc, "us-east-1", Credentials{"AKIDEXAMPLE", "SECRETEXAMPLE", ""}, {},
                        [] { return int64_t{1369353600}; });
}

TEST(S3KeyUtf8, ValidUtf8KeysPassEveryPlane) {
  RequestBuilder b = Builder();
  for (std::string k : {"plain.txt", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                        "\xf4\x8f\xbf\xbd", "new\nline\ttab", "back\\slash"}) {
    EXPECT_TRUE(b.FullKey(k).ok()) << k;
  }
}

TEST(S3KeyUtf8, InvalidBytesAreRefusedByName) {
  RequestBuilder b = Builder();
  for (std::string k : {"bad\xff\xfe.txt", "lone\x80", "overlong\xc0\xaf", "surrogate\xed\xa0\x80",
                        "beyond\xf4\x90\x80\x80", "cut\xe2\x82"}) {
    auto r = b.FullKey(k);
    ASSERT_FALSE(r.ok()) << k;
    EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(r.status().message().find("not valid UTF-8"), std::string::npos);
    EXPECT_NE(r.status().message().find(k.substr(0, 3)), std::string::npos) << r.status().message();
  }
  EXPECT_NE(b.FullKey("bad\xff.txt").status().message().find("bad\\xff.txt"), std::string::npos);
}

}  // namespace
}  // namespace dredge::s3
