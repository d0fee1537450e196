// Temporary credentials are renewed while a run goes on: a backup that lasts more than three
// credential lifetimes, through a proxy that refuses expired session tokens as S3 does, loses no
// object. And the chain's failures: a source handing out a wrong secret fails with the server's
// 403; no source at all lists every source tried, in order.
#include <chrono>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "creds/creds_e2e_support.h"

namespace dredge::testing {
namespace {

TEST_F(CredsE2E, ARunOutlivesThreeCredentialLifetimesWithoutAFailedObject) {
  constexpr double kLifetime = 3;
  StartFakes({.lifetime_s = kLifetime, .container_token = "refresh-container-token"});
  std::mt19937 rng(11);
  for (int i = 0; i < 20; ++i) {
    std::string bytes(512 * 1024, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    Spit(dir_ + "/src/big/" + std::to_string(i) + ".bin", bytes);
  }
  auto env = BaseEnv();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = fakes_->service_url() + "/container/creds";
  env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "refresh-container-token";
  auto start = std::chrono::steady_clock::now();
  // 10.1 MB at 1 MiB/s: about ten seconds, more than three lifetimes of three seconds.
  auto b = Dredge({"backup", "files", "--source", dir_ + "/src", "--dest", dest_, "--state",
                   dir_ + "/state.sqlite", "--json", "--bwlimit", "1M", "--workers", "4"},
                  env);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  auto j = nlohmann::json::parse(b.out, nullptr, false);
  EXPECT_EQ(j["failed"], 0) << b.out;
  EXPECT_EQ(j["uploaded"], 25) << b.out;
  EXPECT_GT(secs, 3 * kLifetime);
  // Renewed along the way (at least once per lifetime), never used once expired.
  EXPECT_GE(fakes_->Events("issue", "container").size(), 4u);
  EXPECT_TRUE(fakes_->Events("expired-use", "s3").empty());
  EXPECT_TRUE(fakes_->Events("refused", "").empty());
  auto r =
      Dredge({"restore", "files", "--dest", dest_, "--target", dir_ + "/restored", "--json"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Tree(dir_ + "/restored"), Tree(dir_ + "/src"));
}

TEST_F(CredsE2E, TheProxyRefusesExpiredTokensSoTheRefreshTestCanFail) {
  // The refresh test means something only if an expired session token is refused: take one
  // from the container endpoint, let it expire, and use it from the environment.
  StartFakes({.lifetime_s = 1});
  auto got = RunProcess({"python3", "-c",
                         "import json,sys,urllib.request;"
                         "print(json.load(urllib.request.urlopen(sys.argv[1]))['Token'])",
                         fakes_->service_url() + "/container/creds"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto env = BaseEnv();
  env["AWS_ACCESS_KEY_ID"] = "S3RVER";
  env["AWS_SECRET_ACCESS_KEY"] = "S3RVER";
  env["AWS_SESSION_TOKEN"] = got.out.substr(0, got.out.find('\n'));
  auto r = Dredge({"snapshots", "--dest", dest_}, env);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("ExpiredToken"), std::string::npos) << r.err;
  EXPECT_FALSE(fakes_->Events("expired-use", "s3").empty());
}

TEST_F(CredsE2E, ASourceHandingOutAWrongSecretFailsWithTheServers403) {
  StartFakes({.secret = "wrong-secret-from-the-fake", .container_token = "tok-123456"});
  auto env = BaseEnv();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = fakes_->service_url() + "/container/creds";
  env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "tok-123456";
  auto b = Dredge({"backup", "files", "--source", dir_ + "/src", "--dest", dest_, "--state",
                   dir_ + "/state.sqlite", "--json"},
                  env);
  EXPECT_NE(b.exit_code, 0);
  const std::string all = b.out + b.err;
  EXPECT_NE(all.find("SignatureDoesNotMatch"), std::string::npos) << all;
  EXPECT_NE(all.find("container ("), std::string::npos) << all;  // names where creds came from
  EXPECT_EQ(all.find("wrong-secret-from-the-fake"), std::string::npos) << all;
}

TEST_F(CredsE2E, NoSourceListsEverySourceTriedInOrder) {
  auto r = Dredge({"snapshots", "--dest", dest_}, BaseEnv());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  size_t at = 0;
  for (const char* source : {"1. environment", "2. profile default", "3. web identity",
                             "4. container", "5. instance metadata"}) {
    size_t pos = r.err.find(source);
    ASSERT_NE(pos, std::string::npos) << source << " missing from: " << r.err;
    EXPECT_GT(pos, at) << source << " out of order: " << r.err;
    at = pos;
  }
}

}  // namespace
}  // namespace dredge::testing
