// Credentials for an IAM Identity Center (SSO) role, from the login `aws sso login` made:
//  - The profile names sso_account_id and sso_role_name, and either sso_session (the
//    "[sso-session NAME]" section gives sso_start_url and sso_region) or, in the legacy form,
//    sso_start_url and sso_region itself.
//  - The access token is read from ~/.aws/sso/cache/<sha1 hex>.json (HOME from the context),
//    keyed by the session name with sso_session and by the start URL in the legacy form, as
//    the AWS CLI writes it; its "accessToken" is registered as a secret when read, its
//    "expiresAt" is checked. A missing or expired token is a Usage error telling the user to run
//    `aws sso login` (this provider does not refresh tokens itself).
//  - The token is exchanged for role credentials through the portal's GetRoleCredentials
//    (GET /federation/credentials?account_id=…&role_name=…, header x-amz-sso_bearer_token) at
//    AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL, the profile's endpoint_url, else
//    https://portal.sso.<sso_region>.amazonaws.com. The cache file is read again on every Get(),
//    so a new login is picked up by a running process.
#pragma once

#include <memory>

#include "store/aws/credential_provider.h"
#include "store/aws/shared_config.h"
#include "store/http/http_client.h"

namespace dredge::aws {

struct SsoSettings {
  std::string profile;
  std::string session_name;  // "" in the legacy form
  std::string start_url;
  std::string region;
  std::string account_id;
  std::string role_name;
};

// Reads the settings from a profile (and its sso-session); Usage naming what is missing.
Result<SsoSettings> ReadSsoSettings(const SharedConfig& files, const std::string& profile,
                                    const IniSection& section);

class SsoProvider final : public CredentialProvider {
 public:
  SsoProvider(AwsContext ctx, SsoSettings settings);
  Result<AwsCredentials> Get() override;
  // "sso (account 123456789012, role Name, profile dev)"
  std::string Describe() const override;

  // The cache file `aws sso login` writes for these settings.
  std::string CachePath() const;

 private:
  Result<std::string> ReadToken() const;

  AwsContext ctx_;
  SsoSettings s_;
  std::unique_ptr<s3::HttpClient> http_;
};

}  // namespace dredge::aws
