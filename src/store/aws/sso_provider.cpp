#include "store/aws/sso_provider.h"

#include <openssl/evp.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/hash.h"
#include "common/log.h"
#include "common/time_util.h"
#include "store/aws/service_http.h"

namespace dredge::aws {
namespace {

std::string Sha1Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr);
  return ToHex(std::string_view(reinterpret_cast<const char*>(md), len));
}

}  // namespace

Result<SsoSettings> ReadSsoSettings(const SharedConfig& files, const std::string& profile,
                                    const IniSection& section) {
  std::optional<IniSection> p = section;
  SsoSettings s;
  s.profile = profile;
  s.session_name = Value(p, "sso_session");
  s.account_id = Value(p, "sso_account_id");
  s.role_name = Value(p, "sso_role_name");
  if (!s.session_name.empty()) {
    auto session = files.SsoSession(s.session_name);
    if (!session)
      return Status::Usage("profile " + profile + " names sso_session " + s.session_name + " but " +
                           files.config_path + " has no [sso-session " + s.session_name +
                           "] section: run `aws configure sso`");
    s.start_url = Value(session, "sso_start_url");
    s.region = Value(session, "sso_region");
  } else {
    s.start_url = Value(p, "sso_start_url");
    s.region = Value(p, "sso_region");
  }
  std::string missing;
  for (auto [name, value] : {std::pair{"sso_start_url", &s.start_url},
                             {"sso_region", &s.region},
                             {"sso_account_id", &s.account_id},
                             {"sso_role_name", &s.role_name}})
    if (value->empty()) missing += (missing.empty() ? "" : ", ") + std::string(name);
  if (!missing.empty())
    return Status::Usage("the SSO settings of profile " + profile + " lack " + missing +
                         ": run `aws configure sso --profile " + profile + "`");
  return s;
}

SsoProvider::SsoProvider(AwsContext ctx, SsoSettings settings)
    : ctx_(std::move(ctx)), s_(std::move(settings)), http_(MakeServiceClient(ctx_, 5000)) {}

std::string SsoProvider::Describe() const {
  return "sso (account " + s_.account_id + ", role " + s_.role_name + ", profile " + s_.profile +
         ")";
}

std::string SsoProvider::CachePath() const {
  return ctx_.Var("HOME") + "/.aws/sso/cache/" +
         Sha1Hex(s_.session_name.empty() ? s_.start_url : s_.session_name) + ".json";
}

Result<std::string> SsoProvider::ReadToken() const {
  const std::string login = "run `aws sso login --profile " + s_.profile + "`";
  const std::string path = CachePath();
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::Usage("no SSO login found for profile " + s_.profile + " (no " + path +
                         "): " + login);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  std::string token, expires;
  if (j.is_object() && j.contains("accessToken") && j["accessToken"].is_string())
    token = j["accessToken"].get<std::string>();
  log::RegisterSecret(token);
  if (j.is_object() && j.contains("expiresAt") && j["expiresAt"].is_string())
    expires = j["expiresAt"].get<std::string>();
  if (token.empty() || expires.empty())
    return Status::Usage("the SSO token cache " + path + " has no accessToken/expiresAt: " + login);
  auto exp = ParseExpiryMs(expires);
  if (!exp.ok() || *exp <= ctx_.NowMs())
    return Status::Usage("the SSO login for profile " + s_.profile + " expired (at " + expires +
                         "): " + login);
  return token;
}

Result<AwsCredentials> SsoProvider::Get() {
  DREDGE_ASSIGN_OR_RETURN(std::string token, ReadToken());
  const std::string base =
      ServiceEndpoint(ctx_, "SSO", "https://portal.sso." + s_.region + ".amazonaws.com");
  const std::string url =
      base + "/federation/credentials?account_id=" + s3::UriEncode(s_.account_id, false) +
      "&role_name=" + s3::UriEncode(s_.role_name, false);
  const std::string what = "the SSO portal's GetRoleCredentials for account " + s_.account_id +
                           ", role " + s_.role_name + " at " + base;
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp,
                          Call(*http_, "GET", url, {{"x-amz-sso_bearer_token", token}}, "", what));
  if (resp.status == 401)
    return Status::Usage(what + " says the login is no longer valid (" +
                         DescribeServiceError(resp) + "): run `aws sso login --profile " +
                         s_.profile + "`");
  if (resp.status != 200)
    return ServiceFailure(resp, what,
                          "check sso_account_id and sso_role_name, and that your user is "
                          "assigned that permission set");
  auto j = nlohmann::json::parse(resp.body, nullptr, false);
  if (!j.is_object() || !j.contains("roleCredentials") || !j["roleCredentials"].is_object())
    return Status::Corrupt("the answer of " + what + " has no roleCredentials");
  const auto& rc = j["roleCredentials"];
  auto str = [&](const char* k) {
    return rc.contains(k) && rc[k].is_string() ? rc[k].get<std::string>() : std::string();
  };
  AwsCredentials c{TakeKeys(str("accessKeyId"), str("secretAccessKey"), str("sessionToken")), 0};
  if (c.keys.access_key_id.empty() || c.keys.secret_access_key.empty())
    return Status::Corrupt("the answer of " + what + " has no accessKeyId/secretAccessKey");
  if (rc.contains("expiration") && rc["expiration"].is_number()) c.expires_ms = rc["expiration"];
  return c;
}

}  // namespace dredge::aws
