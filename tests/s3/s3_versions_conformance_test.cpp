// The ObjectVersions conformance suite (tests/conformance/versions_conformance.h) on the s3://
// driver against moto's server, the test servers' only S3 with versioning: a fresh prefix of
// the Object Lock bucket (dredge-moto-lock), and of the versioned bucket without Object Lock
// (dredge-moto-versioned), which must refuse a Put with retention rather than store it
// unprotected. The SigV4-checking server keeps no versions (VersioningOf is kNone there: see
// s3_store_test.cpp).
#include "conformance/versions_conformance.h"
#include "s3_test_env.h"

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

}  // namespace
}  // namespace dredge::testing
