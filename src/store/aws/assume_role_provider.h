// Role credentials from STS AssumeRole, signed with a source provider's credentials (a
// profile's source_profile or credential_source). Each Get() asks the source (which refreshes
// on its own) and then STS; wrap it in a RefreshingProvider to cache.
#pragma once

#include <memory>

#include "store/aws/credential_provider.h"
#include "store/aws/sts.h"
#include "store/http/http_client.h"

namespace dredge::aws {

class AssumeRoleProvider final : public CredentialProvider {
 public:
  // `source_name` says where the source credentials come from, e.g. "source profile base".
  AssumeRoleProvider(AwsContext ctx, AssumeRoleParams params, ProviderPtr source,
                     std::string source_name);
  Result<AwsCredentials> Get() override;
  // "assume role (role ARN, source profile base)"
  std::string Describe() const override;

 private:
  AwsContext ctx_;
  AssumeRoleParams params_;
  ProviderPtr source_;
  std::string source_name_;
  std::unique_ptr<s3::HttpClient> http_;
};

// Credentials for a role from a web identity token (EKS IRSA, any OIDC provider) through STS
// AssumeRoleWithWebIdentity. The token file is read on every Get(): the platform rotates it.
class WebIdentityProvider final : public CredentialProvider {
 public:
  WebIdentityProvider(AwsContext ctx, AssumeRoleParams params, std::string token_file);
  Result<AwsCredentials> Get() override;
  // "web identity (role ARN)"
  std::string Describe() const override;

 private:
  AwsContext ctx_;
  AssumeRoleParams params_;
  std::string token_file_;
  std::unique_ptr<s3::HttpClient> http_;
};

}  // namespace dredge::aws
