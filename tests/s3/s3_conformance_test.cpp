// The ObjectStore conformance suite (tests/conformance/) on the s3:// driver against both S3
// implementations of the test suite: the SigV4-checking server (s3rver) and moto's server. Each
// store is a fresh prefix of the server's test bucket. The limits are the servers' own
// (shared/ENVIRONMENT.md, docs/s3.md), not the driver's: the requests the driver sends in those
// cases are checked byte for byte in tests/unit/s3_request_test.cpp.
#include "conformance/store_conformance.h"
#include "s3_test_env.h"
#include "store/wrap/retry_store.h"

namespace dredge::testing {
namespace {

// Quick backoff: the servers are local, a retry need not wait long.
RetryPolicy FastRetries() {
  RetryPolicy p;
  p.base = std::chrono::milliseconds(20);
  p.cap = std::chrono::milliseconds(500);
  return p;
}

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
                                     if (!s) return nullptr;
                                     s->DecideCapabilities();
                                     // Quirk: moto answers a listing with 500 InternalError
                                     // when another request removes a key of the same bucket
                                     // while it lists (moto/s3/utils.py copies the key table,
                                     // then looks each key up again; the tests share one
                                     // bucket). AWS's own 500s are retried by every SDK, and
                                     // dredge's s3:// stores always run behind RetryStore
                                     // (cli/store_flags.cpp), so this one does too.
                                     return std::make_shared<RetryStore>(s, FastRetries());
                                   },
                                   // moto stores a body whose Content-MD5 does not match
                                   // (AWS refuses it with 400 BadDigest).
                                   {kLimitNoContentMd5Check}}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace dredge::testing
