// EC2 instance metadata credentials, IMDSv2 only:
//  1. PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds: 21600) → a session token,
//     registered as a secret;
//  2. GET /latest/meta-data/iam/security-credentials/ → the instance role's name;
//  3. GET /latest/meta-data/iam/security-credentials/NAME → the JSON credentials.
// Both GETs carry X-aws-ec2-metadata-token. There is no IMDSv1 fallback: an endpoint that
// refuses the token PUT is an error.
//
// The endpoint is AWS_EC2_METADATA_SERVICE_ENDPOINT (with or without a trailing '/'), else
// http://[fd00:ec2::254] with AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6, else
// http://169.254.169.254. Connections time out after 1 s, so a machine outside EC2 is not
// slowed; AWS_EC2_METADATA_DISABLED=true turns the source off (see ImdsDisabled).
#pragma once

#include <memory>
#include <mutex>

#include "store/aws/credential_provider.h"
#include "store/http/http_client.h"

namespace dredge::aws {

class ImdsProvider final : public CredentialProvider {
 public:
  explicit ImdsProvider(AwsContext ctx);
  Result<AwsCredentials> Get() override;
  // "instance metadata (role NAME)" once the role is known, "instance metadata" before.
  std::string Describe() const override;
  const std::string& endpoint() const { return endpoint_; }

 private:
  AwsContext ctx_;
  std::string endpoint_;
  std::unique_ptr<s3::HttpClient> http_;
  mutable std::mutex mu_;
  std::string role_;
};

bool ImdsDisabled(const AwsContext& ctx);

}  // namespace dredge::aws
