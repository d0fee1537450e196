// The proxy can never outlive or hang a test run: it exits after --max-seconds, when the process
// that started it is gone, and on stop (writing its stats file); bad settings fail at start with
// a message naming the flag.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "proxy/fault_proxy.h"
#include "proxy/test_objects.h"

namespace dredge::testing {
namespace {

TEST(FaultProxyLifetime, ExitsAfterMaxSecondsAndWritesStats) {
  // 3 s leave room for a slow node start on a loaded machine before the request below.
  auto proxy = FaultProxy::Start({"--max-seconds", "3"});
  ASSERT_TRUE(proxy);
  HttpClient c;
  EXPECT_EQ(c.Send({.url = proxy->endpoint() + KeyPath("missing")}).status, 404);
  EXPECT_TRUE(WaitForExit(proxy->pid(), 6)) << "still running 6 s after --max-seconds 3";
  EXPECT_EQ(proxy->StatsFile()["requests"], 1);
  EXPECT_NE(proxy->Output().find("--max-seconds 3 reached"), std::string::npos) << proxy->Output();
  auto r = c.Send({.url = proxy->endpoint() + KeyPath("missing"), .timeout_seconds = 5});
  // Nothing of the proxy answers any more: refused, or (under a parallel ctest, where another
  // test's server may have been given the freed port a moment later) reset on receive.
  EXPECT_TRUE(r.code == CURLE_COULDNT_CONNECT || r.code == CURLE_RECV_ERROR)
      << curl_easy_strerror(r.code);
}

TEST(FaultProxyLifetime, ExitsWhenItsParentIsGone) {
  pid_t parent = fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {
    execlp("sleep", "sleep", "30", static_cast<char*>(nullptr));
    _exit(127);
  }
  auto proxy = FaultProxy::Start({"--parent-pid", std::to_string(parent)});
  ASSERT_TRUE(proxy);
  EXPECT_FALSE(WaitForExit(proxy->pid(), 1.2)) << "exited while its parent was alive";
  kill(parent, SIGKILL);
  waitpid(parent, nullptr, 0);
  EXPECT_TRUE(WaitForExit(proxy->pid(), 5)) << "still running 5 s after its parent died";
  EXPECT_NE(proxy->Output().find("is gone"), std::string::npos) << proxy->Output();
}

TEST(FaultProxyLifetime, StopWritesFinalStatsFile) {
  auto proxy = FaultProxy::Start({"--rate", "1", "--faults", "503"});
  ASSERT_TRUE(proxy);
  HttpClient c;
  for (int i = 0; i < 3; ++i) c.Send({.url = proxy->endpoint() + KeyPath("x")});
  const pid_t pid = proxy->pid();
  proxy->Stop();
  EXPECT_FALSE(ProcessAlive(pid));
  auto stats = proxy->StatsFile();
  EXPECT_EQ(stats["version"], 1);
  EXPECT_EQ(stats["requests"], 3);
  EXPECT_EQ(stats["faults"]["503"], 3);
  EXPECT_EQ(stats["forwarded"], 0);
}

TEST(FaultProxyLifetime, BadSettingsFailAtStartNamingTheProblem) {
  struct Case {
    std::vector<std::string> flags;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--faults", "500,bogus", "--rate", "0.1"}, "unknown fault 'bogus'"},
      {{"--rate", "1.5", "--faults", "500"}, "--rate must be within [0,1]"},
      {{"--fault-rate", "500=0.7", "--fault-rate", "slow=0.6"}, "add up to"},
      {{"--rate", "0.2"}, "--rate needs --faults"},
      {{"--seed", "abc"}, "--seed needs a non-negative number"},
      {{"--frobnicate", "1"}, "unknown flag --frobnicate"},
      {{"--upstream", "http://192.0.2.1:80"}, "must be http:// on 127.0.0.1"},
  };
  for (const auto& c : cases) {
    std::string out;
    auto proxy = FaultProxy::Start(c.flags, &out);
    EXPECT_FALSE(proxy) << c.message;
    EXPECT_NE(out.find(c.message), std::string::npos) << out;
    EXPECT_EQ(out.find("exit 0"), std::string::npos) << out;
  }
}

TEST(FaultProxyLifetime, ConfigFileSetsFlagsAndFlagsWin) {
  auto dir =
      std::filesystem::temp_directory_path() / ("faultproxy-config-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "proxy.json").string();
  {
    std::ofstream out(file);
    out << R"({"fault_rates": {"500": 1}, "seed": 5, "methods": ["GET"], "slow_ms": 10})";
  }
  auto proxy = FaultProxy::Start({"--config", file, "--seed", "6"});
  ASSERT_TRUE(proxy);
  HttpClient c;
  EXPECT_EQ(c.Send({.url = proxy->endpoint() + KeyPath("x")}).status, 500);
  auto stats = proxy->Stats();
  EXPECT_EQ(stats["config"]["seed"], 6);
  EXPECT_EQ(stats["config"]["slow_ms"], 10);
  EXPECT_EQ(stats["config"]["rates"]["500"], 1);
  EXPECT_EQ(stats["config"]["methods"], nlohmann::json::array({"GET"}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dredge::testing
