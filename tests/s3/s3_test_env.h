// Opening S3Store instances on the fixtures' servers (tests/support/s3rver.sh, the
// SigV4-checking server; tests/support/moto.sh, moto), each on a fresh unique prefix so tests
// never see each other's objects.
#pragma once

#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "store/s3/s3_store.h"
#include "support/test_env.h"

namespace dredge::testing {

// Exactly these variables as an injected EnvFn (empty values read as unset).
inline s3::EnvFn FixedEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

// The environment an S3 client needs for the test server, as an injected EnvFn.
inline s3::EnvFn S3TestEnv(const std::string& secret = "S3RVER") {
  return FixedEnv({{"AWS_ACCESS_KEY_ID", "S3RVER"},
                   {"AWS_SECRET_ACCESS_KEY", secret},
                   {"AWS_REGION", "us-east-1"},
                   {"AWS_ENDPOINT_URL", S3Env()["DREDGE_TEST_S3_ENDPOINT"]},
                   {"HOME", "/nonexistent"}});
}

// The same for moto's server, which accepts any key and secret (it does not check signatures).
inline s3::EnvFn MotoTestEnv() {
  return FixedEnv({{"AWS_ACCESS_KEY_ID", "MOTO"},
                   {"AWS_SECRET_ACCESS_KEY", "MOTO"},
                   {"AWS_REGION", "us-east-1"},
                   {"AWS_ENDPOINT_URL", MotoEnv()["DREDGE_TEST_MOTO_ENDPOINT"]},
                   {"HOME", "/nonexistent"}});
}

// "t<pid>-<n>-<name>": unique per process and call.
inline std::string UniquePrefix(const std::string& name) {
  static std::atomic<int> counter{0};
  return "t" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + name;
}

inline std::shared_ptr<S3Store> OpenTestS3(const std::string& prefix, StoreOptions opts = {},
                                           const std::string& secret = "S3RVER") {
  auto env = S3Env();
  auto store = OpenS3WithEnv(env["DREDGE_TEST_S3_BUCKET"] + "/" + prefix, opts, S3TestEnv(secret));
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? *store : nullptr;
}

// A store on a fresh prefix of moto's plain bucket.
inline std::shared_ptr<S3Store> OpenMotoS3(const std::string& prefix, StoreOptions opts = {}) {
  auto env = MotoEnv();
  auto store = OpenS3WithEnv(env["DREDGE_TEST_MOTO_BUCKET"] + "/" + prefix, opts, MotoTestEnv());
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? *store : nullptr;
}

}  // namespace dredge::testing
