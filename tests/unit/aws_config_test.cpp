#include "store/s3/aws_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/log.h"

namespace dredge::s3 {
namespace {

class AwsConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("dredge-awscfg-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / ".aws");
    vars_["HOME"] = dir_.string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  EnvFn Env() {
    return [this](const std::string& n) -> std::optional<std::string> {
      auto it = vars_.find(n);
      if (it == vars_.end()) return std::nullopt;
      return it->second;
    };
  }

  // The keys the resolved provider hands out.
  static Credentials Keys(const Result<AwsConfig>& cfg) {
    auto c = cfg->credentials->Get();
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? c->keys : Credentials{};
  }

  std::filesystem::path dir_;
  std::map<std::string, std::string> vars_;
};

TEST_F(AwsConfigTest, EnvironmentCredentialsWinAndSecretsAreRegistered) {
  vars_["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  vars_["AWS_SECRET_ACCESS_KEY"] = "env-secret-value-1234";
  vars_["AWS_SESSION_TOKEN"] = "env-session-token-5678";
  Write(".aws/credentials", "[default]\naws_access_key_id=AKIDFILE\naws_secret_access_key=f\n");
  auto cfg = LoadAwsConfig({}, Env());
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(Keys(cfg).access_key_id, "AKIDENV");
  EXPECT_EQ(Keys(cfg).session_token, "env-session-token-5678");
  EXPECT_EQ(cfg->credentials_source, "environment");
  EXPECT_EQ(cfg->region, "us-east-1");
  EXPECT_EQ(cfg->endpoint_url, "");
  EXPECT_EQ(log::Scrub("x env-secret-value-1234 env-session-token-5678"), "x *** ***");
}

TEST_F(AwsConfigTest, ProfileFromCredentialsAndConfigFiles) {
  Write(".aws/credentials",
        "# comment\n[default]\naws_access_key_id = AKIDDEF\naws_secret_access_key = d\n"
        "[work]\naws_access_key_id = AKIDWORK\r\naws_secret_access_key = work-secret-xyz\n");
  Write(".aws/config",
        "[default]\nregion = eu-west-1\n[profile work]\nregion = eu-central-1\n"
        "endpoint_url = http://127.0.0.1:9000\n");
  vars_["AWS_PROFILE"] = "work";
  auto cfg = LoadAwsConfig({}, Env());
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(Keys(cfg).access_key_id, "AKIDWORK");
  EXPECT_EQ(Keys(cfg).secret_access_key, "work-secret-xyz");
  EXPECT_EQ(cfg->region, "eu-central-1");
  EXPECT_EQ(cfg->endpoint_url, "http://127.0.0.1:9000");

  StoreOptions opts;
  opts.profile = "default";
  opts.region = "ap-south-1";
  auto def = LoadAwsConfig(opts, Env());
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(Keys(def).access_key_id, "AKIDDEF");
  EXPECT_EQ(def->region, "ap-south-1");
}

TEST_F(AwsConfigTest, ExplicitProfileBeatsEnvironmentKeys) {
  vars_["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  vars_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  vars_["AWS_SHARED_CREDENTIALS_FILE"] = (dir_ / "creds").string();
  Write("creds", "[ci]\naws_access_key_id=AKIDCI\naws_secret_access_key=cisecret\n");
  StoreOptions opts;
  opts.profile = "ci";
  auto cfg = LoadAwsConfig(opts, Env());
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(Keys(cfg).access_key_id, "AKIDCI");
}

TEST_F(AwsConfigTest, RegionEndpointAndCaBundlePrecedence) {
  vars_["AWS_ACCESS_KEY_ID"] = "A";
  vars_["AWS_SECRET_ACCESS_KEY"] = "S";
  vars_["AWS_DEFAULT_REGION"] = "us-west-1";
  vars_["AWS_ENDPOINT_URL"] = "http://general";
  vars_["AWS_ENDPOINT_URL_S3"] = "http://s3-specific";
  vars_["AWS_CA_BUNDLE"] = "/etc/ca.pem";
  auto cfg = LoadAwsConfig({}, Env());
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->region, "us-west-1");
  EXPECT_EQ(cfg->endpoint_url, "http://s3-specific");
  EXPECT_EQ(cfg->ca_bundle, "/etc/ca.pem");
  vars_["AWS_REGION"] = "us-west-2";
  StoreOptions opts;
  opts.endpoint_url = "http://flag";
  opts.ca_bundle = "/flag.pem";
  cfg = LoadAwsConfig(opts, Env());
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->region, "us-west-2");
  EXPECT_EQ(cfg->endpoint_url, "http://flag");
  EXPECT_EQ(cfg->ca_bundle, "/flag.pem");
}

TEST_F(AwsConfigTest, MissingCredentialsIsUsageListingEverySourceInOrder) {
  vars_["AWS_ACCESS_KEY_ID"] = "AKIDONLY";  // no secret: not usable
  vars_["AWS_EC2_METADATA_DISABLED"] = "true";
  Write(".aws/credentials", "[other]\naws_access_key_id=A\naws_secret_access_key=B\n");
  auto cfg = LoadAwsConfig({}, Env());
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().kind(), ErrorKind::kUsage);
  const std::string& m = cfg.status().message();
  size_t at = 0;
  for (const char* source : {"1. environment", "2. profile default", "3. web identity",
                             "4. container", "5. instance metadata (AWS_EC2_METADATA_DISABLED"}) {
    size_t pos = m.find(source);
    ASSERT_NE(pos, std::string::npos) << source << " missing from: " << m;
    EXPECT_GE(pos, at) << source << " out of order in: " << m;
    at = pos;
  }
  EXPECT_NE(m.find(".aws/config (no such file)"), std::string::npos) << m;
  EXPECT_EQ(m.find("AKIDONLY"), std::string::npos) << m;
}

TEST_F(AwsConfigTest, ANamedProfileThatDoesNotExistIsUsageNamingBothFiles) {
  vars_["AWS_PROFILE"] = "nosuch";
  Write(".aws/credentials", "[default]\naws_access_key_id=A\naws_secret_access_key=B\n");
  auto cfg = LoadAwsConfig({}, Env());
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().kind(), ErrorKind::kUsage);
  const std::string& m = cfg.status().message();
  EXPECT_NE(m.find("profile nosuch"), std::string::npos) << m;
  EXPECT_NE(m.find(".aws/credentials"), std::string::npos) << m;
  EXPECT_NE(m.find(".aws/config (no such file)"), std::string::npos) << m;
}

}  // namespace
}  // namespace dredge::s3
