// The two STS calls the credential chain makes (Query API, version 2011-06-15, POST form body):
// AssumeRole, signed (SigV4, service "sts") with the source credentials, and
// AssumeRoleWithWebIdentity, unsigned (the token is the proof).
//
// Contract:
//  - The endpoint: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's endpoint_url, else
//    https://sts.REGION.amazonaws.com (.com.cn in China) — regional, as the SDKs are by
//    default; with AWS_STS_REGIONAL_ENDPOINTS=legacy (or sts_regional_endpoints = legacy in the
//    profile) the global https://sts.amazonaws.com for the regions that used it, signed for
//    us-east-1.
//  - The answer's AccessKeyId, SecretAccessKey, SessionToken and Expiration become the
//    credentials; the secret and token are registered as secrets before anything else happens.
//  - A refusal is Permanent (Retryable for 5xx/throttling) naming the role and STS's code and
//    message, never a credential or the web identity token.
#pragma once

#include <string>

#include "store/aws/credential_provider.h"
#include "store/http/http_client.h"

namespace dredge::aws {

struct AssumeRoleParams {
  std::string role_arn;
  std::string session_name;  // "" = dredge-<unix ms>
  std::string external_id;   // "" = none
  int duration_seconds = 0;  // 0 = STS's default (1 h)
};

// The STS endpoint URL and the region to sign for (see the contract).
struct StsEndpoint {
  std::string url;
  std::string signing_region;
};
StsEndpoint ResolveStsEndpoint(const AwsContext& ctx);

Result<AwsCredentials> StsAssumeRole(s3::HttpClient& http, const AwsContext& ctx,
                                     const AssumeRoleParams& params, const s3::Credentials& source);

Result<AwsCredentials> StsAssumeRoleWithWebIdentity(s3::HttpClient& http, const AwsContext& ctx,
                                                    const AssumeRoleParams& params,
                                                    const std::string& token);

}  // namespace dredge::aws
