// The ObjectVersions conformance suite: V1-V6 of store/object_versions.h on every store that
// keeps versions. A test binary instantiates it with factories that return a store over a
// fresh, empty, versioning-enabled namespace (memory: tests/unit/store_conformance_local_test.cpp;
// s3:// on moto: the s3 test binary). A factory whose store has no Object Lock declares
// kLimitNoObjectLock and the lock cases (V5's refusal, V6) then check only that the store
// answers Unsupported or Permanent instead of pretending.
#pragma once

#include "conformance/store_conformance.h"

namespace dredge::testing {

inline constexpr const char* kLimitNoObjectLock = "no-object-lock";

class VersionsConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store_ = GetParam().make(); }
  std::shared_ptr<ObjectStore> store_;
};

}  // namespace dredge::testing
