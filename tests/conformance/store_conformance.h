// The ObjectStore conformance suite: every sentence of the contract in store/object_store.h,
// tested on every driver. A test binary instantiates it once per driver:
//
//   INSTANTIATE_TEST_SUITE_P(File, StoreConformance,
//       ::testing::Values(StoreFactory{"file", [] { return MakeFileStore(); }, {}}),
//       [](const auto& info) { return info.param.name; });
//
// `limits` names server shortcomings (see shared/ENVIRONMENT.md) under which a case asserts
// less; each such case says so in its body, and the request we send is covered by a unit test
// of its bytes instead.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "store/object_store.h"

namespace dredge::testing {

// Known limits of a server under test.
inline constexpr const char* kLimitMixedCharListOrder = "mixed-char-list-order";
inline constexpr const char* kLimitCopyEncodedSource = "copy-encoded-source";
inline constexpr const char* kLimitNoConditionalPut = "no-conditional-put";
// The server escapes '&' and '\'' twice in listings (s3rver: "&amp;amp;").
inline constexpr const char* kLimitDoubleEscapedListKeys = "list-xml-double-escape";
// The server stores a body whose Content-MD5 does not match (real S3 answers 400 BadDigest).
inline constexpr const char* kLimitNoContentMd5Check = "no-content-md5-check";
// A reader can see an object half-overwritten or missing while a put replaces it.
inline constexpr const char* kLimitNonAtomicOverwrite = "non-atomic-overwrite";

struct StoreFactory {
  std::string name;
  // Returns a store over a fresh, empty namespace (new directory, bucket prefix, …).
  std::function<std::shared_ptr<ObjectStore>()> make;
  std::set<std::string> limits;
  bool has(const char* limit) const { return limits.count(limit) > 0; }
};

inline void PrintTo(const StoreFactory& f, std::ostream* os) { *os << f.name; }

class StoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store_ = GetParam().make(); }
  std::shared_ptr<ObjectStore> store_;
};

}  // namespace dredge::testing
