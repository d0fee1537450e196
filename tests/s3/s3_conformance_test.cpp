// The ObjectStore conformance suite (tests/conformance/) on the s3:// driver against both S3
// implementations of the test suite: the SigV4-checking server (s3rver) and moto's server. Each
// store is a fresh prefix of the server's test bucket. The limits are the servers' own
// (shared/ENVIRONMENT.md, docs/s3.md), not the driver's: the requests the driver sends in those
// cases are checked byte for byte in tests/unit/s3_request_test.cpp.
#include "conformance/store_conformance.h"
#include "s3_test_env.h"

namespace dredge::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    S3, StoreConformance,
    ::testing::Values(StoreFactory{"s3rver",
                                   []() -> std::shared_ptr<ObjectStore> {
                                     return OpenTestS3(UniquePrefix("conf"));
                                   },
                                   {kLimitMixedCharListOrder, kLimitCopyEncodedSource,
                                    kLimitNoConditionalPut, kLimitDoubleEscapedListKeys,
                                    kLimitNoContentMd5Check, kLimitNonAtomicOverwrite}},
                      StoreFactory{"moto",
                                   []() -> std::shared_ptr<ObjectStore> {
                                     // Decided as OpenS3 (the registry's factory) does.
                                     auto s = OpenMotoS3(UniquePrefix("conf"));
                                     if (s) s->DecideCapabilities();
                                     return s;
                                   },
                                   // moto stores a body whose Content-MD5 does not match
                                   // (AWS refuses it with 400 BadDigest).
                                   {kLimitNoContentMd5Check}}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace dredge::testing
