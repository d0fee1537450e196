// Test objects for the proxy tests: reproducible pseudo-random bytes, unique keys per test in
// the fixture's bucket, and direct (proxy-less) access to the upstream S3 server, which is the
// reference every proxied answer is compared with.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "proxy/http_client.h"
#include "support/test_env.h"

namespace dredge::testing {

// splitmix64 bytes: every byte value occurs, and the same seed gives the same object.
inline std::string PseudoRandomBytes(size_t n, uint64_t seed) {
  std::string out(n, '\0');
  uint64_t x = seed;
  for (size_t i = 0; i < n; i += 8) {
    x += 0x9e3779b97f4a7c15ULL;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    for (size_t b = 0; b < 8 && i + b < n; ++b) out[i + b] = static_cast<char>(z >> (8 * b));
  }
  return out;
}

// "/BUCKET/proxy-tests/SUITE.TEST/name": a path under the fixture bucket no other test uses.
inline std::string KeyPath(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return "/" + S3Env()["DREDGE_TEST_S3_BUCKET"] + "/proxy-tests/" + info->test_suite_name() + "." +
         info->name() + "/" + name;
}

inline std::string Upstream() {
  return S3Env()["DREDGE_TEST_S3_ENDPOINT"];
}

// Stores `body` under `path` directly on the upstream; fails the test if that does not work.
inline void PutDirect(const std::string& path, const std::string& body) {
  HttpClient c;
  HttpResponse r = c.Send({.method = "PUT", .url = Upstream() + path, .body = body});
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  ASSERT_EQ(r.status, 200) << r.body;
}

// Status of a direct HEAD on the upstream (200 present, 404 absent).
inline long HeadDirect(const std::string& path) {
  HttpClient c;
  return c.Send({.method = "HEAD", .url = Upstream() + path}).status;
}

// A binomial count k of n trials at rate p is "about the rate" within 4 standard deviations.
inline void ExpectAboutRate(long k, long n, double p, const std::string& what) {
  double mean = n * p, sd = std::sqrt(n * p * (1 - p));
  EXPECT_NEAR(static_cast<double>(k), mean, 4 * sd + 1)
      << what << ": " << k << " of " << n << " at configured rate " << p;
  EXPECT_GT(k, 0) << what << " never happened in " << n << " requests";
}

}  // namespace dredge::testing
