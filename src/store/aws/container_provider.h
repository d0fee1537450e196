// Container credentials (ECS task roles, EKS Pod Identity), as the SDKs read them:
//  - AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: GET http://169.254.170.2<relative URI>;
//  - else AWS_CONTAINER_CREDENTIALS_FULL_URI: GET that URL, which must be http(s) to a loopback
//    host (127.0.0.0/8, ::1, localhost) or the documented link-local hosts 169.254.170.2 (ECS),
//    169.254.170.23 and fd00:ec2::23 (EKS Pod Identity); anything else is a Usage error, since
//    the answer is trusted with credentials.
//  - The Authorization header is the contents of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read
//    on every Get(): the platform rotates it), else AWS_CONTAINER_AUTHORIZATION_TOKEN; the
//    token is registered as a secret. No token: no header.
//  - The answer is {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}.
#pragma once

#include <memory>

#include "store/aws/credential_provider.h"
#include "store/http/http_client.h"

namespace dredge::aws {

class ContainerProvider final : public CredentialProvider {
 public:
  // Usage error when the URI is not allowed (see above). `ctx` must have the container
  // variables; Create does not contact the endpoint.
  static Result<std::shared_ptr<ContainerProvider>> Create(AwsContext ctx);
  Result<AwsCredentials> Get() override;
  std::string Describe() const override { return "container (" + url_ + ")"; }

 private:
  ContainerProvider(AwsContext ctx, std::string url);
  AwsContext ctx_;
  std::string url_;
  std::unique_ptr<s3::HttpClient> http_;
};

// True when either container variable is set.
bool ContainerCredentialsConfigured(const AwsContext& ctx);

}  // namespace dredge::aws
