// Secrets of the credential chain never leave the process: session tokens (from the
// environment, STS, containers, instance metadata, SSO), web identity tokens, container
// authorization tokens, SSO access tokens and what a credential_process prints are absent from
// stdout, stderr, --json and the log files, at the most verbose settings, on success and on
// failure.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "creds/creds_e2e_support.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;

class CredsSecrets : public CredsE2E {
 protected:
  // Runs backup and snapshots verbosely with JSON logs; every secret must be absent from the
  // output and from every log file.
  void ExpectNoLeak(const std::map<std::string, std::string>& env, std::vector<std::string> secrets,
                    bool expect_success = true) {
    std::string seen;
    for (std::vector<std::string> args :
         {std::vector<std::string>{"-v", "--log-format", "json", "backup", "files", "--source",
                                   dir_ + "/src", "--dest", dest_, "--state",
                                   dir_ + "/state.sqlite", "--json"},
          std::vector<std::string>{"-v", "snapshots", "--dest", dest_, "--json"},
          std::vector<std::string>{"-v", "check", "--dest", dest_}}) {
      auto r = Dredge(args, env);
      if (expect_success) {
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
      } else {
        EXPECT_NE(r.exit_code, 0) << r.out << r.err;
      }
      seen += r.out + r.err;
    }
    if (fs::exists(dir_ + "/logs"))
      for (auto it = fs::recursive_directory_iterator(dir_ + "/logs");
           it != fs::recursive_directory_iterator(); ++it)
        if (it->is_regular_file()) seen += Slurp(it->path().string());
    if (fakes_)
      for (const auto& e : fakes_->Events("issue", "")) secrets.push_back(e["token"]);
    ASSERT_FALSE(secrets.empty());
    for (const auto& s : secrets) EXPECT_EQ(seen.find(s), std::string::npos) << s << " leaked";
  }
};

TEST_F(CredsSecrets, EnvironmentSessionToken) {
  auto env = BaseEnv();
  env["AWS_ACCESS_KEY_ID"] = "S3RVER";
  env["AWS_SECRET_ACCESS_KEY"] = "S3RVER";
  env["AWS_SESSION_TOKEN"] = "EnvSessionToken-Recognisable-1q2w";
  ExpectNoLeak(env, {"EnvSessionToken-Recognisable-1q2w"});
}

TEST_F(CredsSecrets, WebIdentityTokenAndStsSessionTokens) {
  StartFakes({.web_identity_token = "WebIdentityToken-Recognisable-3e4r"});
  Spit(dir_ + "/token", "WebIdentityToken-Recognisable-3e4r");
  auto env = BaseEnv();
  env["AWS_WEB_IDENTITY_TOKEN_FILE"] = dir_ + "/token";
  env["AWS_ROLE_ARN"] = "arn:aws:iam::111122223333:role/backup";
  ExpectNoLeak(env, {"WebIdentityToken-Recognisable-3e4r"});
}

TEST_F(CredsSecrets, ContainerAuthorizationAndInstanceMetadataTokens) {
  StartFakes({.container_token = "ContainerToken-Recognisable-5t6y"});
  auto env = BaseEnv();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = fakes_->service_url() + "/container/creds";
  env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "ContainerToken-Recognisable-5t6y";
  ExpectNoLeak(env, {"ContainerToken-Recognisable-5t6y"});
  env.erase("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  env["AWS_EC2_METADATA_DISABLED"] = "false";
  env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = fakes_->service_url();
  ExpectNoLeak(env, {"ContainerToken-Recognisable-5t6y"});
}

TEST_F(CredsSecrets, SsoAccessTokenValidAndExpired) {
  StartFakes({.sso_token = "SsoAccessToken-Recognisable-7u8i"});
  WriteHome(".aws/config",
            "[default]\nsso_start_url = https://old.awsapps.com/start\nsso_region = eu-west-1\n"
            "sso_account_id = 123456789012\nsso_role_name = Backup\n");
  const std::string cache = ".aws/sso/cache/33d5ca4bf3b1a62edb96b47f7c203034a43ac435.json";
  WriteHome(
      cache,
      R"({"accessToken": "SsoAccessToken-Recognisable-7u8i", "expiresAt": "2099-01-01T00:00:00Z"})");
  ExpectNoLeak(BaseEnv(), {"SsoAccessToken-Recognisable-7u8i"});
  WriteHome(
      cache,
      R"({"accessToken": "SsoAccessToken-Recognisable-7u8i", "expiresAt": "2001-01-01T00:00:00Z"})");
  ExpectNoLeak(BaseEnv(), {"SsoAccessToken-Recognisable-7u8i"}, /*expect_success=*/false);
}

TEST_F(CredsSecrets, CredentialProcessOutputGoodAndBroken) {
  Spit(dir_ + "/good.sh",
       "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"S3RVER\", \"SecretAccessKey\": "
       "\"S3RVER\", \"SessionToken\": \"ProcessToken-Recognisable-9o0p\"}'\n");
  WriteHome(".aws/config", "[default]\ncredential_process = /bin/sh " + dir_ + "/good.sh\n");
  ExpectNoLeak(BaseEnv(), {"ProcessToken-Recognisable-9o0p"});
  // Output that is not what the CLI documents must not be quoted back either.
  Spit(dir_ + "/bad.sh",
       "#!/bin/sh\necho 'SecretAccessKey=ProcessOutput-Recognisable-a1s2 not json'\n");
  WriteHome(".aws/config", "[default]\ncredential_process = /bin/sh " + dir_ + "/bad.sh\n");
  ExpectNoLeak(BaseEnv(), {"ProcessOutput-Recognisable-a1s2"}, /*expect_success=*/false);
}

}  // namespace
}  // namespace dredge::testing
