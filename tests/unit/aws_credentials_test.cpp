// The credential chain's order and rules, with the environment and the shared files injected:
// which source wins when several are configured, how profiles chain, what is refused, and the
// refreshing cache's behaviour under an injected clock. Sources that need a network are pointed
// at a closed local port: the error then names the source that was chosen, which is what these
// tests assert (the sources themselves are tested end to end in tests/creds/).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "common/log.h"
#include "store/aws/container_provider.h"
#include "store/aws/credential_chain.h"
#include "store/aws/process_provider.h"
#include "store/aws/refreshing_provider.h"
#include "store/aws/shared_config.h"
#include "store/aws/sso_provider.h"
#include "store/aws/sts.h"

namespace dredge::aws {
namespace {

namespace fs = std::filesystem;

// A port nothing listens on (bound, then closed).
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class Chain : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dredge-chain-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / ".aws");
    vars_["HOME"] = dir_.string();
    dead_ = "http://127.0.0.1:" + std::to_string(ClosedPort());
    vars_["AWS_ENDPOINT_URL_STS"] = dead_;
    vars_["AWS_ENDPOINT_URL_SSO"] = dead_;
    vars_["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = dead_;
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel) << text;
  }
  AwsContext Ctx() {
    AwsContext c;
    c.env = [this](const std::string& n) -> std::optional<std::string> {
      auto it = vars_.find(n);
      if (it == vars_.end() || it->second.empty()) return std::nullopt;
      return it->second;
    };
    c.region = "eu-west-1";
    return c;
  }
  Result<ProviderPtr> Resolve(const std::string& profile = "") {
    AwsContext c = Ctx();
    return ResolveCredentialChain(profile, c, LoadSharedConfig(c));
  }
  // The resolved provider's description, or the error message.
  std::string Outcome(const std::string& profile = "") {
    auto r = Resolve(profile);
    return r.ok() ? "ok: " + (*r)->Describe() : "error: " + r.status().message();
  }

  fs::path dir_;
  std::string dead_;
  std::map<std::string, std::string> vars_;
};

TEST_F(Chain, EnvironmentThenProfileThenWebIdentityThenContainerThenInstanceMetadata) {
  Write("token", "jwt-token-value-123");
  vars_["AWS_WEB_IDENTITY_TOKEN_FILE"] = (dir_ / "token").string();
  vars_["AWS_ROLE_ARN"] = "arn:aws:iam::111122223333:role/web";
  vars_["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = dead_ + "/container/creds";
  Write(".aws/credentials", "[default]\naws_access_key_id=AKIDFILE\naws_secret_access_key=fs1\n");
  vars_["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  vars_["AWS_SECRET_ACCESS_KEY"] = "envsecret1";
  EXPECT_EQ(Outcome(), "ok: environment");
  vars_.erase("AWS_ACCESS_KEY_ID");
  EXPECT_EQ(Outcome(), "ok: profile default");
  fs::remove(dir_ / ".aws/credentials");
  // Web identity is chosen next: its STS is unreachable, and the error says it was the one.
  std::string o = Outcome();
  EXPECT_NE(o.find("web identity (role arn:aws:iam::111122223333:role/web)"), std::string::npos)
      << o;
  EXPECT_EQ(o.find("container"), std::string::npos) << o;
  vars_.erase("AWS_ROLE_ARN");
  o = Outcome();
  EXPECT_NE(o.find("container (" + dead_ + "/container/creds)"), std::string::npos) << o;
  vars_.erase("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  o = Outcome();
  EXPECT_NE(o.find("5. instance metadata (asking instance metadata at " + dead_), std::string::npos)
      << o;
  vars_["AWS_EC2_METADATA_DISABLED"] = "TRUE";
  o = Outcome();
  EXPECT_NE(o.find("5. instance metadata (AWS_EC2_METADATA_DISABLED=true)"), std::string::npos)
      << o;
  EXPECT_EQ(o.find("jwt-token-value-123"), std::string::npos) << o;
}

TEST_F(Chain, AnExplicitProfileSkipsTheEnvironmentAndMustExist) {
  vars_["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  vars_["AWS_SECRET_ACCESS_KEY"] = "envsecret1";
  Write(".aws/config", "[profile ci]\naws_access_key_id=AKIDCI\naws_secret_access_key=cis1\n");
  EXPECT_EQ(Outcome("ci"), "ok: profile ci");
  std::string o = Outcome("nosuch");
  EXPECT_NE(o.find("AWS profile nosuch is in neither"), std::string::npos) << o;
}

TEST_F(Chain, WithinAProfileRoleThenSsoThenKeysThenProcess) {
  const std::string keys = "aws_access_key_id=AKIDP\naws_secret_access_key=ps1\n";
  const std::string process = "credential_process=/bin/false\n";
  const std::string sso =
      "sso_start_url=https://example.awsapps.com/start\nsso_region=eu-west-1\n"
      "sso_account_id=123456789012\nsso_role_name=Backup\n";
  const std::string role = "role_arn=arn:aws:iam::1:role/r\ncredential_source=Environment\n";
  vars_["AWS_PROFILE"] = "p";
  Write(".aws/config", "[profile p]\n" + process + keys + sso + role);
  vars_["AWS_ACCESS_KEY_ID"] = "";
  std::string o = Outcome();
  EXPECT_NE(o.find("credential_source = Environment but"), std::string::npos) << o;
  Write(".aws/config", "[profile p]\n" + process + keys + sso);
  o = Outcome();
  EXPECT_NE(o.find("no SSO login found for profile p"), std::string::npos) << o;
  EXPECT_NE(o.find("aws sso login --profile p"), std::string::npos) << o;
  Write(".aws/config", "[profile p]\n" + process + keys);
  EXPECT_EQ(Outcome(), "ok: profile p");
  Write(".aws/config", "[profile p]\n" + process);
  o = Outcome();
  EXPECT_NE(o.find("credential process (profile p)"), std::string::npos) << o;
  EXPECT_NE(o.find("exited with status 1"), std::string::npos) << o;
}

TEST_F(Chain, SourceProfilesAreFollowedLoopsAndMfaRefused) {
  Write(".aws/config",
        "[profile a]\nrole_arn=arn:aws:iam::1:role/a\nsource_profile=b\n"
        "[profile b]\nrole_arn=arn:aws:iam::1:role/b\nsource_profile=c\n"
        "[profile c]\naws_access_key_id=AKIDC\naws_secret_access_key=cs1\n"
        "[profile x]\nrole_arn=arn:aws:iam::1:role/x\nsource_profile=y\n"
        "[profile y]\nrole_arn=arn:aws:iam::1:role/y\nsource_profile=x\n"
        "[profile m]\nrole_arn=arn:aws:iam::1:role/m\nsource_profile=c\nmfa_serial=arn:mfa\n"
        "[profile self]\nrole_arn=arn:aws:iam::1:role/s\nsource_profile=self\n"
        "aws_access_key_id=AKIDS\naws_secret_access_key=ss1\n"
        "[profile bad]\nrole_arn=arn:aws:iam::1:role/bad\nduration_seconds=60\nsource_profile=c\n");
  std::string o = Outcome("a");
  // a's source is b, whose own source is c: STS is asked for b first (and is unreachable).
  EXPECT_NE(o.find("assume role (role arn:aws:iam::1:role/a, source profile b)"), std::string::npos)
      << o;
  EXPECT_NE(o.find("STS AssumeRole of arn:aws:iam::1:role/b"), std::string::npos) << o;
  o = Outcome("x");
  EXPECT_NE(o.find("form a loop (x -> y -> x)"), std::string::npos) << o;
  o = Outcome("m");
  EXPECT_NE(o.find("mfa_serial"), std::string::npos) << o;
  EXPECT_NE(o.find("cannot ask for an MFA code"), std::string::npos) << o;
  o = Outcome("self");
  EXPECT_NE(o.find("assume role (role arn:aws:iam::1:role/s, source profile self)"),
            std::string::npos)
      << o;
  o = Outcome("bad");
  EXPECT_NE(o.find("from 900 to 43200"), std::string::npos) << o;
}

TEST_F(Chain, SharedFilesMergeWithTheCredentialsFileWinningAndSkipSubSettings) {
  Write(".aws/config",
        "[profile p]\naws_access_key_id=FROMCONFIG\nregion=eu-north-1\ns3 =\n"
        "  addressing_style = path\n  region = wrong\n[sso-session corp]\nsso_region=x\n");
  Write(".aws/credentials", "[p]\naws_access_key_id = FROMCREDS\n");
  AwsContext c = Ctx();
  SharedConfig files = LoadSharedConfig(c);
  auto p = files.Profile("p");
  ASSERT_TRUE(p);
  EXPECT_EQ(Value(p, "aws_access_key_id"), "FROMCREDS");
  EXPECT_EQ(Value(p, "region"), "eu-north-1");
  EXPECT_EQ(Value(files.SsoSession("corp"), "sso_region"), "x");
}

TEST_F(Chain, StsEndpointsAreRegionalByDefault) {
  vars_.erase("AWS_ENDPOINT_URL_STS");
  AwsContext c = Ctx();
  EXPECT_EQ(ResolveStsEndpoint(c).url, "https://sts.eu-west-1.amazonaws.com");
  vars_["AWS_STS_REGIONAL_ENDPOINTS"] = "legacy";
  c = Ctx();
  EXPECT_EQ(ResolveStsEndpoint(c).url, "https://sts.amazonaws.com");
  EXPECT_EQ(ResolveStsEndpoint(c).signing_region, "us-east-1");
  c.region = "af-south-1";  // never had the global endpoint
  EXPECT_EQ(ResolveStsEndpoint(c).url, "https://sts.af-south-1.amazonaws.com");
  c.region = "cn-north-1";
  EXPECT_EQ(ResolveStsEndpoint(c).url, "https://sts.cn-north-1.amazonaws.com.cn");
  vars_["AWS_ENDPOINT_URL"] = "http://general:1/";
  c = Ctx();
  EXPECT_EQ(ResolveStsEndpoint(c).url, "http://general:1");
  vars_["AWS_ENDPOINT_URL_STS"] = "http://sts-only:2";
  c = Ctx();
  EXPECT_EQ(ResolveStsEndpoint(c).url, "http://sts-only:2");
  EXPECT_EQ(ResolveStsEndpoint(c).signing_region, "eu-west-1");
}

TEST_F(Chain, ContainerFullUrisOnlyToLoopbackAndTheDocumentedHosts) {
  for (const char* ok : {"http://127.0.0.1:80/c", "http://127.9.9.9/c", "http://localhost/c",
                         "http://[::1]:8080/c", "http://169.254.170.2/c",
                         "http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/c"}) {
    vars_["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = ok;
    EXPECT_TRUE(ContainerProvider::Create(Ctx()).ok()) << ok;
  }
  for (const char* bad : {"http://10.0.0.1/c", "https://evil.example.com/c",
                          "http://169.254.169.254/c", "http://[fd00:ec2::254]/c"}) {
    vars_["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = bad;
    auto r = ContainerProvider::Create(Ctx());
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().kind(), ErrorKind::kUsage);
  }
  vars_["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc";
  auto rel = ContainerProvider::Create(Ctx());
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ((*rel)->Describe(), "container (http://169.254.170.2/v2/credentials/abc)");
}

TEST_F(Chain, SsoTokensAreFoundByTheAwsCliCacheKeyAndExpiryIsChecked) {
  Write(".aws/config",
        "[profile dev]\nsso_session=my-sso\nsso_account_id=123456789012\nsso_role_name=R\n"
        "[profile old]\nsso_start_url=https://example.awsapps.com/start\nsso_region=eu-west-1\n"
        "sso_account_id=123456789012\nsso_role_name=R\n"
        "[sso-session my-sso]\nsso_start_url=https://x.awsapps.com/start\nsso_region=eu-west-1\n");
  AwsContext c = Ctx();
  SharedConfig files = LoadSharedConfig(c);
  auto dev = ReadSsoSettings(files, "dev", *files.Profile("dev"));
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  SsoProvider p(c, *dev);
  EXPECT_EQ(p.CachePath(),
            (dir_ / ".aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json").string());
  auto old = ReadSsoSettings(files, "old", *files.Profile("old"));
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(SsoProvider(c, *old).CachePath(),
            (dir_ / ".aws/sso/cache/e8be5486177c5b5392bd9aa76563515b29358e6e.json").string());
  Write(".aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json",
        R"({"accessToken": "sso-access-token-expired-1", "expiresAt": "2020-01-01T00:00:00Z"})");
  auto r = p.Get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(r.status().message().find("expired"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("run `aws sso login"), std::string::npos);
  EXPECT_EQ(r.status().message().find("sso-access-token-expired-1"), std::string::npos);
  EXPECT_EQ(log::Scrub("sso-access-token-expired-1"), "***");
}

TEST_F(Chain, CredentialProcessOutputIsUsedButNeverQuoted) {
  auto script = [&](const std::string& body) {
    Write("proc.sh", "#!/bin/sh\ncat <<'J'\n" + body + "\nJ\n");
    return "/bin/sh " + (dir_ / "proc.sh").string();
  };
  ProcessProvider ok(script(R"({"Version": 1, "AccessKeyId": "AKIDPROC",
    "SecretAccessKey": "proc-secret-4711", "SessionToken": "proc-token-4712",
    "Expiration": "2099-01-01T00:00:00Z"})"),
                     "p");
  auto c = ok.Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->keys.access_key_id, "AKIDPROC");
  EXPECT_EQ(c->keys.session_token, "proc-token-4712");
  EXPECT_EQ(c->expires_ms, 4070908800000);
  EXPECT_EQ(log::Scrub("proc-secret-4711 proc-token-4712"), "*** ***");

  ProcessProvider v2(script(R"({"Version": 2, "AccessKeyId": "A",
    "SecretAccessKey": "proc-secret-v2-4713"})"),
                     "p");
  auto r = v2.Get();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("\"Version\": 1"), std::string::npos);
  ProcessProvider garbage(script("not json proc-output-4714"), "p");
  r = garbage.Get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("proc-output-4714"), std::string::npos);
  EXPECT_EQ(r.status().message().find("proc-secret"), std::string::npos);
}

// A source whose answers the test scripts: a counter, an expiry relative to the fake clock,
// optional failure, optional blocking until released.
class ScriptedSource final : public CredentialProvider {
 public:
  explicit ScriptedSource(std::atomic<int64_t>* now) : now_(now) {}
  Result<AwsCredentials> Get() override {
    int n = ++calls;
    if (block) gate.get_future().wait();
    if (fail) return Status::Retryable("scripted failure");
    return AwsCredentials{{"AKID" + std::to_string(n), "s", "t"},
                          lifetime_ms ? *now_ + lifetime_ms : 0};
  }
  std::string Describe() const override { return "scripted"; }

  std::atomic<int> calls{0};
  int64_t lifetime_ms = 0;
  std::atomic<bool> fail{false};
  bool block = false;
  std::promise<void> gate;

 private:
  std::atomic<int64_t>* now_;
};

TEST(RefreshingProvider, RefreshesAheadWithOneCallerWhileOthersKeepTheValidCredentials) {
  std::atomic<int64_t> now{1000000};
  auto src = std::make_shared<ScriptedSource>(&now);
  src->lifetime_ms = 10000;  // refresh due 5 s before expiry, usable until 2 s before
  RefreshingProvider p(src, [&] { return now.load(); });
  ASSERT_EQ(p.Get()->keys.access_key_id, "AKID1");
  now += 4000;
  EXPECT_EQ(p.Get()->keys.access_key_id, "AKID1");
  EXPECT_EQ(src->calls, 1);
  now += 2000;  // refresh due; the refresher blocks in the source
  src->block = true;
  auto refresher = std::async(std::launch::async, [&] { return p.Get()->keys.access_key_id; });
  while (src->calls < 2) std::this_thread::yield();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(p.Get()->keys.access_key_id, "AKID1");  // no waiting
  EXPECT_EQ(src->calls, 2);
  src->gate.set_value();
  EXPECT_EQ(refresher.get(), "AKID2");
  EXPECT_EQ(p.Get()->keys.access_key_id, "AKID2");
}

TEST(RefreshingProvider, AFailedRefreshKeepsValidCredentialsThenReportsTheError) {
  std::atomic<int64_t> now{1000000};
  auto src = std::make_shared<ScriptedSource>(&now);
  src->lifetime_ms = 10000;
  RefreshingProvider p(src, [&] { return now.load(); });
  ASSERT_TRUE(p.Get().ok());
  src->fail = true;
  now += 6000;
  auto r = p.Get();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->keys.access_key_id, "AKID1");
  now += 2500;  // past the usable point
  r = p.Get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kRetryable);
  src->fail = false;
  auto again = p.Get();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->keys.access_key_id, "AKID" + std::to_string(src->calls.load()));
}

TEST(RefreshingProvider, CredentialsWithoutExpiryAreFetchedOnce) {
  std::atomic<int64_t> now{0};
  auto src = std::make_shared<ScriptedSource>(&now);
  RefreshingProvider p(src, [&] { return now.load(); });
  for (int i = 0; i < 3; ++i, now += 1000000000) ASSERT_TRUE(p.Get().ok());
  EXPECT_EQ(src->calls, 1);
}

}  // namespace
}  // namespace dredge::aws
