// The ObjectStore conformance suite (tests/conformance/) on the s3:// driver against the
// SigV4-checking test server. Each store is a fresh prefix of the test bucket. The limits are
// the test server's (shared/ENVIRONMENT.md), not the driver's: the requests the driver sends
// in those cases are checked byte for byte in tests/unit/s3_request_test.cpp.
#include "conformance/store_conformance.h"
#include "s3_test_env.h"

namespace dredge::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    S3, StoreConformance,
    ::testing::Values(StoreFactory{
        "s3rver",
        []() -> std::shared_ptr<ObjectStore> { return OpenTestS3(UniquePrefix("conf")); },
        {kLimitMixedCharListOrder, kLimitCopyEncodedSource, kLimitNoConditionalPut,
         kLimitDoubleEscapedListKeys, kLimitNoContentMd5Check, kLimitNonAtomicOverwrite}}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace dredge::testing
