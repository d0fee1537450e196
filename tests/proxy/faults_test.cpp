// Each fault mode: it happens at about its configured rate, looks on the wire as documented in
// docs/testing.md, and the proxy's counters equal what the client saw, request for request.
//
// Reset tests use a fresh connection per request: libcurl silently resends a request whose
// reused connection dies before any response byte, which would hide the reset from the client.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "proxy/fault_proxy.h"
#include "proxy/http_client.h"
#include "proxy/test_objects.h"

namespace dredge::testing {
namespace {

constexpr const char* kFaults[] = {
    "500", "503", "503-retry-after", "reset-before", "reset-after", "truncate", "slow"};

bool IsReset(CURLcode c) {
  return c == CURLE_RECV_ERROR || c == CURLE_SEND_ERROR || c == CURLE_GOT_NOTHING;
}

// Every fault counter but `except` is zero.
void ExpectOnlyFault(const nlohmann::json& stats, const std::string& except) {
  for (const char* f : kFaults)
    if (f != except) {
      EXPECT_EQ(stats["faults"][f], 0) << f;
    }
}

bool HasCode(const HttpResponse& r, const std::string& code) {
  return r.body.find("<Code>" + code + "</Code>") != std::string::npos;
}

// 500 and the two 503s: the request never reaches the upstream; the answer is an S3 XML error.
void CheckErrorFault(const std::string& fault, long want_status, const std::string& want_code,
                     const std::string& want_retry_after) {
  const std::string body = PseudoRandomBytes(3000, 5);
  PutDirect(KeyPath("obj"), body);
  auto proxy =
      FaultProxy::Start({"--fault-rate", fault + "=0.25", "--seed", "11", "--retry-after", "7"});
  ASSERT_TRUE(proxy);
  HttpClient c;
  const int n = 200;
  int faults = 0;
  for (int i = 0; i < n; ++i) {
    auto r = c.Send({.url = proxy->endpoint() + KeyPath("obj")});
    ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
    if (r.status == want_status) {
      ++faults;
      EXPECT_TRUE(HasCode(r, want_code)) << r.body;
      EXPECT_EQ(r.Header("Content-Type"), "application/xml");
      EXPECT_EQ(r.Header("Retry-After"), want_retry_after);
      EXPECT_EQ(r.HasHeader("Retry-After"), !want_retry_after.empty());
    } else {
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_TRUE(r.body == body);
    }
  }
  ExpectAboutRate(faults, n, 0.25, fault);
  auto stats = proxy->Stats();
  EXPECT_EQ(stats["requests"], n);
  EXPECT_EQ(stats["faults"][fault], faults);
  EXPECT_EQ(stats["forwarded"], n - faults) << "an error fault must not reach the upstream";
  EXPECT_EQ(stats["passed"], n - faults);
  ExpectOnlyFault(stats, fault);
}

TEST(FaultProxyFaults, InternalErrorAtConfiguredRate) {
  CheckErrorFault("500", 500, "InternalError", "");
}

TEST(FaultProxyFaults, SlowDownWithoutRetryAfterAtConfiguredRate) {
  CheckErrorFault("503", 503, "SlowDown", "");
}

TEST(FaultProxyFaults, SlowDownWithRetryAfterAtConfiguredRate) {
  CheckErrorFault("503-retry-after", 503, "SlowDown", "7");
}

// Resets are told apart by what the upstream holds afterwards: a PUT reset before its body was
// read never arrives; one reset after forwarding was stored although the client saw an error.
void CheckResetFault(const std::string& fault, bool upstream_did_the_work) {
  auto proxy = FaultProxy::Start({"--fault-rate", fault + "=0.25", "--seed", "12"});
  ASSERT_TRUE(proxy);
  HttpClient c;
  const int n = 120;
  int faults = 0;
  for (int i = 0; i < n; ++i) {
    const std::string key = KeyPath("obj-" + std::to_string(i));
    const std::string body = PseudoRandomBytes(2000 + i, i);
    auto r = c.Send(
        {.method = "PUT", .url = proxy->endpoint() + key, .body = body, .fresh_connection = true});
    if (r.code != CURLE_OK) {
      ++faults;
      EXPECT_TRUE(IsReset(r.code)) << "PUT #" << i << ": " << curl_easy_strerror(r.code);
      // Nothing but, for a body sent with Expect: 100-continue, the interim 100 Continue.
      EXPECT_TRUE(r.status == 0 || r.status == 100) << "PUT #" << i << " got " << r.status;
      EXPECT_EQ(HeadDirect(key), upstream_did_the_work ? 200 : 404) << "PUT #" << i;
    } else {
      EXPECT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(HeadDirect(key), 200);
    }
  }
  ExpectAboutRate(faults, n, 0.25, fault);
  auto stats = proxy->Stats();
  EXPECT_EQ(stats["requests"], n) << "the client resent a request behind the test's back";
  EXPECT_EQ(stats["faults"][fault], faults);
  EXPECT_EQ(stats["forwarded"], upstream_did_the_work ? n : n - faults);
  EXPECT_EQ(stats["passed"], n - faults);
  ExpectOnlyFault(stats, fault);
}

TEST(FaultProxyFaults, ResetBeforeBodyAtConfiguredRateNeverReachesUpstream) {
  CheckResetFault("reset-before", false);
}

TEST(FaultProxyFaults, ResetAfterForwardingAtConfiguredRateLeavesUpstreamDone) {
  CheckResetFault("reset-after", true);
}

TEST(FaultProxyFaults, TruncatedBodiesKeepContentLengthAndArePrefixes) {
  const std::string body = PseudoRandomBytes(10000, 6);
  PutDirect(KeyPath("obj"), body);
  auto proxy = FaultProxy::Start({"--fault-rate", "truncate=0.25", "--seed", "13"});
  ASSERT_TRUE(proxy);
  HttpClient c;
  const int n = 200;
  int faults = 0;
  for (int i = 0; i < n; ++i) {
    auto r = c.Send({.url = proxy->endpoint() + KeyPath("obj")});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("Content-Length"), "10000") << "Content-Length must stay unchanged";
    if (r.code == CURLE_PARTIAL_FILE) {
      ++faults;
      EXPECT_LT(r.body.size(), body.size());
      EXPECT_EQ(r.body, body.substr(0, r.body.size())) << "a truncated body is a true prefix";
    } else {
      ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
      EXPECT_TRUE(r.body == body);
    }
  }
  ExpectAboutRate(faults, n, 0.25, "truncate");
  // A response without a body cannot be truncated: relayed whole, counted apart.
  const int puts = 20;
  for (int i = 0; i < puts; ++i) {
    auto put = c.Send(
        {.method = "PUT", .url = proxy->endpoint() + KeyPath("put"), .body = std::to_string(i)});
    EXPECT_EQ(put.code, CURLE_OK);
    EXPECT_EQ(put.status, 200);
  }
  auto stats = proxy->Stats();
  EXPECT_EQ(stats["faults"]["truncate"], faults);
  EXPECT_EQ(stats["forwarded"], n + puts);
  EXPECT_EQ(stats["passed"], n - faults + puts);
  ExpectAboutRate(stats["not_applicable"].get<long>(), puts, 0.25, "truncate drawn for a PUT");
  ExpectOnlyFault(stats, "truncate");
}

TEST(FaultProxyFaults, SlowResponsesAreDelayedButIntact) {
  const std::string body = PseudoRandomBytes(1000, 7);
  PutDirect(KeyPath("obj"), body);
  const double delay = 0.4;
  auto proxy = FaultProxy::Start({"--fault-rate", "slow=0.25", "--seed", "14", "--slow-ms", "400"});
  ASSERT_TRUE(proxy);
  HttpClient c;
  const int n = 32;
  int faults = 0;
  for (int i = 0; i < n; ++i) {
    auto r = c.Send({.url = proxy->endpoint() + KeyPath("obj")});
    ASSERT_EQ(r.code, CURLE_OK);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.body == body);
    if (r.seconds >= delay) ++faults;
  }
  ExpectAboutRate(faults, n, 0.25, "slow");
  auto stats = proxy->Stats();
  EXPECT_EQ(stats["faults"]["slow"], faults);
  EXPECT_EQ(stats["forwarded"], n);
  EXPECT_EQ(stats["passed"], n - faults);
  ExpectOnlyFault(stats, "slow");
}

// The client's view of one request, as a letter: what a fault looks like from outside.
char Outcome(const HttpResponse& r, double slow_seconds) {
  if (IsReset(r.code)) return 'R';
  if (r.code == CURLE_PARTIAL_FILE) return 'T';
  if (r.code != CURLE_OK) return '?';
  if (r.status == 500 && HasCode(r, "InternalError")) return '5';
  if (r.status == 503 && HasCode(r, "SlowDown")) return r.HasHeader("Retry-After") ? 'A' : '3';
  if (r.status == 200) return r.seconds >= slow_seconds ? 'S' : '.';
  return '?';
}

std::string RunMixed(FaultProxy& proxy, int n) {
  HttpClient c;
  std::string outcomes;
  for (int i = 0; i < n; ++i) {
    auto r = c.Send({.url = proxy.endpoint() + KeyPath("obj"), .fresh_connection = true});
    outcomes += Outcome(r, 0.8);  // well above a normal request on a loaded machine
  }
  return outcomes;
}

TEST(FaultProxyFaults, AllFaultsMixedMatchStatsAndFileAndAreReproducible) {
  PutDirect(KeyPath("obj"), PseudoRandomBytes(5000, 8));
  const std::vector<std::string> flags = {"--rate", "0.5", "--faults", "all", "--slow-ms", "800"};
  auto with_seed = [&](const std::string& seed) {
    auto f = flags;
    f.insert(f.end(), {"--seed", seed});
    return f;
  };
  const int n = 105;
  auto proxy = FaultProxy::Start(with_seed("21"));
  ASSERT_TRUE(proxy);
  const std::string seen = RunMixed(*proxy, n);
  EXPECT_EQ(seen.find('?'), std::string::npos) << "unexpected outcome in " << seen;
  auto count = [&](char c) { return static_cast<long>(std::count(seen.begin(), seen.end(), c)); };
  auto stats = proxy->Stats();
  EXPECT_EQ(stats["requests"], n);
  EXPECT_EQ(stats["faults"]["500"], count('5')) << seen;
  EXPECT_EQ(stats["faults"]["503"], count('3')) << seen;
  EXPECT_EQ(stats["faults"]["503-retry-after"], count('A')) << seen;
  EXPECT_EQ(
      stats["faults"]["reset-before"].get<long>() + stats["faults"]["reset-after"].get<long>(),
      count('R'))
      << seen;
  EXPECT_EQ(stats["faults"]["truncate"], count('T')) << seen;
  EXPECT_EQ(stats["faults"]["slow"], count('S')) << seen;
  EXPECT_EQ(stats["passed"], count('.')) << seen;
  ExpectAboutRate(n - count('.'), n, 0.5, "all faults together");
  for (const char* f : kFaults) EXPECT_GT(stats["faults"][f].get<int>(), 0) << f << ": " << seen;

  // The stats file written at exit holds the same counters, and the log one line per fault.
  proxy->Stop();
  auto file = proxy->StatsFile();
  EXPECT_EQ(file["faults"], stats["faults"]);
  EXPECT_EQ(file["requests"], n);
  std::string log = proxy->Log();
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), n - count('.')) << log;

  // Same seed, same request sequence: same faults. Another seed: different ones. (A prefix of
  // the sequence is enough to show it, and keeps the test short.)
  const int m = 50;
  auto again = FaultProxy::Start(with_seed("21"));
  ASSERT_TRUE(again);
  EXPECT_EQ(RunMixed(*again, m), seen.substr(0, m));
  auto other = FaultProxy::Start(with_seed("22"));
  ASSERT_TRUE(other);
  EXPECT_NE(RunMixed(*other, m), seen.substr(0, m));
}

TEST(FaultProxyFaults, OnlyEligibleMethodsAreFaulted) {
  PutDirect(KeyPath("obj"), "eligible");
  auto proxy =
      FaultProxy::Start({"--rate", "1", "--faults", "500", "--methods", "get,head", "--seed", "2"});
  ASSERT_TRUE(proxy);
  HttpClient c;
  for (int i = 0; i < 5; ++i) {
    auto put = c.Send({.method = "PUT",
                       .url = proxy->endpoint() + KeyPath("p" + std::to_string(i)),
                       .body = "x"});
    EXPECT_EQ(put.status, 200) << "PUT is not eligible: " << put.body;
    EXPECT_EQ(c.Send({.url = proxy->endpoint() + KeyPath("obj")}).status, 500);
    EXPECT_EQ(c.Send({.method = "HEAD", .url = proxy->endpoint() + KeyPath("obj")}).status, 500);
    EXPECT_EQ(c.Send({.method = "DELETE", .url = proxy->endpoint() + KeyPath("p0")}).status, 204);
  }
  auto stats = proxy->Stats();
  EXPECT_EQ(stats["faults"]["500"], 10);
  EXPECT_EQ(stats["passed"], 10);
}

TEST(FaultProxyFaults, FaultLogNamesEachFaultAndNoSecret) {
  auto proxy = FaultProxy::Start({"--rate", "1", "--faults", "500,503"});
  ASSERT_TRUE(proxy);
  HttpClient c;
  const int n = 6;
  for (int i = 0; i < n; ++i) {
    auto r = c.Send(
        {.url = proxy->endpoint() + KeyPath("obj") +
                "?X-Amz-Credential=AKIDQUERYMARKER&X-Amz-Signature=QUERYSIGMARKER&partNumber=1",
         .headers = {"Authorization: AWS4-HMAC-SHA256 Credential=AKIDHEADERMARKER/x, "
                     "SignedHeaders=host, Signature=HEADERSIGMARKER"}});
    EXPECT_TRUE(r.status == 500 || r.status == 503) << r.status;
  }
  const std::string log = proxy->Log();
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), n) << log;
  EXPECT_NE(log.find("fault=500 GET " + KeyPath("obj") +
                     "?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&partNumber=1"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("fault=503 GET "), std::string::npos) << log;
  proxy->Stop();
  for (const std::string& text : {log, proxy->Output(), proxy->StatsFile().dump()}) {
    EXPECT_EQ(text.find("MARKER"), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace dredge::testing
