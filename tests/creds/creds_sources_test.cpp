// Each source of the credential chain backs up and restores through the SigV4-checking test
// server with the credentials it obtained (the server accepts only its own key pair, so a
// round trip proves the source's credentials were the ones used), and `dredge check` names the
// source in the documented words.
#include <gtest/gtest.h>

#include "creds/creds_e2e_support.h"

namespace dredge::testing {
namespace {

constexpr char kRole[] = "arn:aws:iam::111122223333:role/backup";

TEST_F(CredsE2E, EnvironmentWithSessionToken) {
  auto env = BaseEnv();
  env["AWS_ACCESS_KEY_ID"] = "S3RVER";
  env["AWS_SECRET_ACCESS_KEY"] = "S3RVER";
  env["AWS_SESSION_TOKEN"] = "env-session-token-not-checked-by-the-server";
  EXPECT_EQ(RoundTrip(env), "environment");
}

TEST_F(CredsE2E, ProfileWithStaticKeys) {
  WriteHome(".aws/credentials",
            "[backup]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n");
  auto env = BaseEnv();
  env["AWS_PROFILE"] = "backup";
  EXPECT_EQ(RoundTrip(env), "profile backup");
}

TEST_F(CredsE2E, AssumeRoleFromASourceProfileWithItsSettings) {
  StartFakes({});
  WriteHome(".aws/config", std::string("[profile base]\naws_access_key_id = AKIDSOURCE\n") +
                               "aws_secret_access_key = source-secret-1234\n[profile role]\n" +
                               "role_arn = " + kRole + "\nsource_profile = base\n" +
                               "external_id = ext-42\nrole_session_name = nightly\n" +
                               "duration_seconds = 1800\n");
  auto env = BaseEnv();
  EXPECT_EQ(RoundTrip(env, {"--profile", "role"}),
            std::string("assume role (role ") + kRole + ", source profile base)");
  auto calls = fakes_->Events("request", "sts");
  ASSERT_FALSE(calls.empty());
  for (const auto& c : calls) {
    EXPECT_EQ(c["action"], "AssumeRole");
    EXPECT_EQ(c["RoleArn"], kRole);
    EXPECT_EQ(c["ExternalId"], "ext-42");
    EXPECT_EQ(c["RoleSessionName"], "nightly");
    EXPECT_EQ(c["DurationSeconds"], "1800");
    EXPECT_EQ(c["Version"], "2011-06-15");
    EXPECT_EQ(c["signed_by"], "AKIDSOURCE");  // signed with the source profile's key
    EXPECT_EQ(c["region"], "us-east-1");
  }
  EXPECT_TRUE(fakes_->Events("refused", "").empty());
}

TEST_F(CredsE2E, AssumeRoleWithCredentialSourceEnvironmentAndInstanceMetadata) {
  StartFakes({});
  WriteHome(".aws/config", std::string("[profile fromenv]\nrole_arn = ") + kRole +
                               "\ncredential_source = Environment\n[profile fromec2]\n" +
                               "role_arn = " + kRole +
                               "\ncredential_source = Ec2InstanceMetadata\n");
  auto env = BaseEnv();
  env["AWS_ACCESS_KEY_ID"] = "AKIDFROMENV";
  env["AWS_SECRET_ACCESS_KEY"] = "env-source-secret-1234";
  // --profile skips the environment as a source of its own, so it only signs the AssumeRole.
  EXPECT_EQ(RoundTrip(env, {"--profile", "fromenv"}),
            std::string("assume role (role ") + kRole + ", credential source Environment)");
  EXPECT_EQ(fakes_->Events("request", "sts").back()["signed_by"], "AKIDFROMENV");

  env.erase("AWS_ACCESS_KEY_ID");
  env.erase("AWS_SECRET_ACCESS_KEY");
  env["AWS_EC2_METADATA_DISABLED"] = "false";
  env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = fakes_->service_url();
  EXPECT_EQ(RoundTrip(env, {"--profile", "fromec2"}),
            std::string("assume role (role ") + kRole + ", credential source Ec2InstanceMetadata)");
  auto last = fakes_->Events("request", "sts").back();
  EXPECT_EQ(last["signed_by"], "S3RVER");  // the instance role's key, with its session token
  EXPECT_NE(last["security_token"].get<std::string>().find("fake-session-"), std::string::npos);
}

TEST_F(CredsE2E, WebIdentityFromTheEnvironment) {
  StartFakes({.web_identity_token = "eyJ-web-identity-token-for-test"});
  Spit(dir_ + "/token", "eyJ-web-identity-token-for-test\n");
  auto env = BaseEnv();
  env["AWS_WEB_IDENTITY_TOKEN_FILE"] = dir_ + "/token";
  env["AWS_ROLE_ARN"] = kRole;
  env["AWS_ROLE_SESSION_NAME"] = "pod-7";
  EXPECT_EQ(RoundTrip(env), std::string("web identity (role ") + kRole + ")");
  auto calls = fakes_->Events("request", "sts");
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls[0]["action"], "AssumeRoleWithWebIdentity");
  EXPECT_EQ(calls[0]["RoleSessionName"], "pod-7");
  EXPECT_TRUE(fakes_->Events("refused", "").empty());
}

TEST_F(CredsE2E, WebIdentityFromAProfile) {
  StartFakes({.web_identity_token = "eyJ-profile-web-identity-token"});
  Spit(dir_ + "/token", "eyJ-profile-web-identity-token");
  WriteHome(".aws/config", std::string("[default]\nrole_arn = ") + kRole +
                               "\nweb_identity_token_file = " + dir_ + "/token\n");
  EXPECT_EQ(RoundTrip(BaseEnv()), std::string("web identity (role ") + kRole + ")");
}

TEST_F(CredsE2E, ContainerFullUriWithTokenOrTokenFile) {
  StartFakes({.container_token = "container-auth-token-5678"});
  auto env = BaseEnv();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = fakes_->service_url() + "/container/creds";
  env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "container-auth-token-5678";
  EXPECT_EQ(RoundTrip(env), "container (" + fakes_->service_url() + "/container/creds)");
  // The file wins over the variable (EKS Pod Identity mounts one).
  Spit(dir_ + "/ctoken", "container-auth-token-5678\n");
  env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "stale-wrong-token";
  env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = dir_ + "/ctoken";
  EXPECT_EQ(RoundTrip(env), "container (" + fakes_->service_url() + "/container/creds)");
  EXPECT_TRUE(fakes_->Events("refused", "").empty());
  // A wrong token is refused by the endpoint, and the run says where it failed.
  env.erase("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  auto r = Dredge({"snapshots", "--dest", dest_}, env);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("container credentials endpoint"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("401"), std::string::npos) << r.err;
}

TEST_F(CredsE2E, InstanceMetadataIMDSv2WithOrWithoutTrailingSlash) {
  StartFakes({});
  auto env = BaseEnv();
  env["AWS_EC2_METADATA_DISABLED"] = "false";
  for (const char* suffix : {"", "/"}) {
    env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = fakes_->service_url() + suffix;
    EXPECT_EQ(RoundTrip(env), "instance metadata (role fake-instance-role)");
  }
  EXPECT_FALSE(fakes_->Events("issue", "imds").empty());
  EXPECT_TRUE(fakes_->Events("refused", "imds").empty());  // every request carried the token
}

TEST_F(CredsE2E, CredentialProcessWithExpiration) {
  Spit(dir_ + "/creds.sh",
       "#!/bin/sh\necho run >> " + dir_ + "/process-runs\n" +
           "printf '{\"Version\": 1, \"AccessKeyId\": \"S3RVER\", \"SecretAccessKey\": "
           "\"S3RVER\", \"Expiration\": \"%s\"}' \"$(date -u -d '+1 hour' "
           "+%Y-%m-%dT%H:%M:%SZ)\"\n");
  WriteHome(".aws/config", "[profile proc]\ncredential_process = /bin/sh " + dir_ + "/creds.sh\n");
  auto env = BaseEnv();
  env["AWS_PROFILE"] = "proc";
  EXPECT_EQ(RoundTrip(env), "credential process (profile proc)");
  EXPECT_FALSE(Slurp(dir_ + "/process-runs").empty());
}

TEST_F(CredsE2E, SsoSessionAndLegacyStartUrl) {
  StartFakes({.sso_token = "sso-access-token-abcdef"});
  WriteHome(".aws/config",
            "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n"
            "sso_role_name = Backup\n[sso-session corp]\n"
            "sso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
            "[profile old]\nsso_start_url = https://old.awsapps.com/start\n"
            "sso_region = eu-west-1\nsso_account_id = 123456789012\nsso_role_name = Backup\n");
  // What `aws sso login` leaves: keyed by sha1("corp") and sha1 of the legacy start URL.
  const std::string token =
      R"({"startUrl": "x", "region": "eu-west-1", "accessToken": "sso-access-token-abcdef", )"
      R"("expiresAt": "2099-01-01T00:00:00Z"})";
  WriteHome(".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json", token);
  WriteHome(".aws/sso/cache/33d5ca4bf3b1a62edb96b47f7c203034a43ac435.json", token);
  auto env = BaseEnv();
  env["AWS_PROFILE"] = "dev";
  EXPECT_EQ(RoundTrip(env), "sso (account 123456789012, role Backup, profile dev)");
  EXPECT_EQ(RoundTrip(env, {"--profile", "old"}),
            "sso (account 123456789012, role Backup, profile old)");
  auto calls = fakes_->Events("request", "sso");
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls[0]["account"], "123456789012");
  EXPECT_EQ(calls[0]["role"], "Backup");
  // An expired login says what to do.
  WriteHome(".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json",
            R"({"accessToken": "sso-access-token-abcdef", "expiresAt": "2020-01-01T00:00:00Z"})");
  auto r = Dredge({"snapshots", "--dest", dest_}, env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("run `aws sso login --profile dev`"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dredge::testing
