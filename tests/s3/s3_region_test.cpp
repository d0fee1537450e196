// The bucket's region is found, not guessed: against a loopback stand-in for AWS (region_fake.h)
// whose bucket lives in eu-west-1 while the client guesses us-east-1, each of AWS's ways of
// saying so makes the driver sign the request again for eu-west-1, send it once more, and sign
// every later request (and every store opened later in the run) for eu-west-1. An explicit
// region that the bucket contradicts is a usage error naming both.
#include <gtest/gtest.h>

#include "region_fake.h"
#include "s3_test_env.h"
#include "store/s3/s3_store.h"

namespace dredge::testing {
namespace {

using Mode = RegionFake::Mode;

// Each test gets its own bucket name: regions are remembered per endpoint and bucket for the
// life of the process.
// `explicit_region` is what --region (or region in dredge.toml) would set.
std::shared_ptr<S3Store> Open(const RegionFake& fake, const std::string& bucket,
                              const std::string& explicit_region = "") {
  StoreOptions opts;
  opts.region = explicit_region;
  auto store = OpenS3WithEnv(bucket + "/pfx", opts,
                             FixedEnv({{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                       {"AWS_SECRET_ACCESS_KEY", "secret"},
                                       {"AWS_REGION", "us-east-1"},
                                       {"AWS_ENDPOINT_URL", fake.endpoint()},
                                       {"HOME", "/nonexistent"}}));
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? *store : nullptr;
}

std::vector<std::string> Regions(RegionFake& fake) {
  std::vector<std::string> out;
  for (const auto& s : fake.seen()) out.push_back(s.method + " " + s.region);
  return out;
}

std::string Read(ObjectStore& s, const std::string& key) {
  auto bytes = GetString(s, key);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? *bytes : "";
}

TEST(S3Region, AuthorizationHeaderMalformedSwitchesTheRegionOnceForTheRun) {
  RegionFake fake(Mode::kMalformed, "eu-west-1");
  auto store = Open(fake, "bucket-malformed");
  ASSERT_TRUE(store);
  ASSERT_TRUE(PutString(*store, "a.txt", "hello").ok());
  EXPECT_EQ(Read(*store, "a.txt"), "hello");
  EXPECT_EQ(Regions(fake),
            (std::vector<std::string>{"PUT us-east-1", "PUT eu-west-1", "GET eu-west-1"}));
  // A store opened later in the run starts in the bucket's region.
  auto again = Open(fake, "bucket-malformed");
  ASSERT_TRUE(again);
  EXPECT_EQ(Read(*again, "a.txt"), "hello");
  EXPECT_EQ(fake.seen().back().region, "eu-west-1");
  EXPECT_EQ(fake.seen().size(), 4u);
}

TEST(S3Region, BodilessHeadAnswer400WithTheRegionHeader) {
  RegionFake fake(Mode::kMalformed, "eu-west-1");
  auto store = Open(fake, "bucket-head");
  ASSERT_TRUE(store);
  auto missing = store->Stat("nothing-here");
  EXPECT_EQ(missing.status().kind(), ErrorKind::kNotFound) << missing.status().ToString();
  EXPECT_EQ(Regions(fake), (std::vector<std::string>{"HEAD us-east-1", "HEAD eu-west-1"}));
}

TEST(S3Region, PermanentRedirectWithTheRegionHeader) {
  RegionFake fake(Mode::kRedirect, "ap-southeast-2");
  auto store = Open(fake, "bucket-redirect");
  ASSERT_TRUE(store);
  ASSERT_TRUE(PutString(*store, "k", std::string(1000, 'x')).ok());
  auto info = store->Stat("k");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->size, 1000u);
  EXPECT_EQ(Regions(fake), (std::vector<std::string>{"PUT us-east-1", "PUT ap-southeast-2",
                                                     "HEAD ap-southeast-2"}));
}

TEST(S3Region, RedirectNamingNoRegionAsksTheBucket) {
  RegionFake fake(Mode::kRedirectWithoutRegion, "eu-central-1");
  auto store = Open(fake, "bucket-probe");
  ASSERT_TRUE(store);
  ASSERT_TRUE(PutString(*store, "k", "v").ok());
  auto seen = fake.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].method + " " + seen[0].region, "PUT us-east-1");
  // The bucket itself (path style on an IP endpoint: /bucket) tells its region.
  EXPECT_EQ(seen[1].method + " " + seen[1].target, "HEAD /bucket-probe");
  EXPECT_EQ(seen[2].method + " " + seen[2].region, "PUT eu-central-1");
}

TEST(S3Region, AnExplicitRegionTheBucketContradictsIsAUsageErrorNamingBoth) {
  RegionFake fake(Mode::kMalformed, "eu-west-1");
  auto store = Open(fake, "bucket-explicit", "us-east-2");
  ASSERT_TRUE(store);
  auto put = PutString(*store, "k", "v");
  ASSERT_EQ(put.status().kind(), ErrorKind::kUsage) << put.status().ToString();
  EXPECT_NE(put.status().message().find("eu-west-1"), std::string::npos);
  EXPECT_NE(put.status().message().find("us-east-2"), std::string::npos);
  EXPECT_EQ(fake.seen().size(), 1u);  // nothing was re-sent
}

TEST(S3Region, AnExplicitRegionThatIsRightIsUsedAsIs) {
  RegionFake fake(Mode::kMalformed, "eu-west-1");
  auto store = Open(fake, "bucket-explicit-right", "eu-west-1");
  ASSERT_TRUE(store);
  ASSERT_TRUE(PutString(*store, "k", "v").ok());
  EXPECT_EQ(Regions(fake), (std::vector<std::string>{"PUT eu-west-1"}));
}

TEST(S3Region, ARequestIsResentAtMostOnce) {
  RegionFake fake(Mode::kAlwaysRefuse, "eu-west-1");
  auto store = Open(fake, "bucket-loop");
  ASSERT_TRUE(store);
  auto put = PutString(*store, "k", "v");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().kind(), ErrorKind::kPermanent) << put.status().ToString();
  EXPECT_NE(put.status().message().find("AuthorizationHeaderMalformed"), std::string::npos);
  EXPECT_EQ(Regions(fake), (std::vector<std::string>{"PUT us-east-1", "PUT eu-west-1"}));
}

}  // namespace
}  // namespace dredge::testing
