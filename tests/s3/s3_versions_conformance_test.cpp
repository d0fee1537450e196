// The ObjectVersions conformance suite (tests/conformance/versions_conformance.h) on the s3://
// driver against moto's server, the test servers' only S3 with versioning: a fresh prefix of
// the Object Lock bucket (dredge-moto-lock), and of the versioned bucket without Object Lock
// (dredge-moto-versioned), which must refuse a Put with retention rather than store it
// unprotected. Also what the driver says beyond the suite: the SigV4-checking server keeps no
// versions (kNone), and a refused removal of a locked version names the key, the id and the date.
#include "common/time_util.h"
#include "conformance/versions_conformance.h"
#include "s3_test_env.h"
#include "store/byte_io.h"
#include "store/object_versions.h"

namespace dredge::testing {
namespace {

std::shared_ptr<ObjectStore> OpenMotoBucket(const char* bucket_var, const std::string& name) {
  auto store = OpenS3WithEnv(MotoEnv()[bucket_var] + "/" + UniquePrefix(name), {}, MotoTestEnv());
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? *store : nullptr;
}

INSTANTIATE_TEST_SUITE_P(
    S3, VersionsConformance,
    ::testing::Values(
        StoreFactory{"moto_lock",
                     [] { return OpenMotoBucket("DREDGE_TEST_MOTO_BUCKET_LOCK", "vconf"); },
                     {}},
        StoreFactory{"moto_versioned",
                     [] { return OpenMotoBucket("DREDGE_TEST_MOTO_BUCKET_VERSIONED", "vconf"); },
                     {kLimitNoObjectLock}}),
    [](const auto& info) { return info.param.name; });

TEST(S3Versions, TheSigV4ServerKeepsNoVersions) {
  auto store = OpenTestS3(UniquePrefix("nover"));
  ASSERT_NE(store, nullptr);
  auto state = VersioningOf(*store);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(*state, Versioning::kNone);
}

TEST(S3Versions, ARefusedRemovalOfALockedVersionNamesKeyIdAndDate) {
  auto store = OpenMotoBucket("DREDGE_TEST_MOTO_BUCKET_LOCK", "vlocked");
  const int64_t until = static_cast<int64_t>(std::time(nullptr)) + 3600;
  PutOptions o;
  o.retention = Retention{"COMPLIANCE", until};
  auto put = PutString(*store, "locked.bin", "keep", o);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  Status refused = RemoveVersion(*store, "locked.bin", put->version_id);
  EXPECT_EQ(refused.kind(), ErrorKind::kPermanent);
  EXPECT_NE(refused.message().find("locked.bin"), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find(put->version_id), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find(FormatIsoUtc(until)), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find("COMPLIANCE"), std::string::npos) << refused.message();
}

}  // namespace
}  // namespace dredge::testing
