// The AWS SDKs' credential chain, in their order; the first source that is configured wins:
//  1. environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) — skipped
//     when a profile is given explicitly (--profile), as the AWS CLI does;
//  2. the profile (--profile, else AWS_PROFILE, else "default") in the shared files, by what it
//     says, in the SDKs' order: role_arn (with web_identity_token_file, source_profile or
//     credential_source = Environment | Ec2InstanceMetadata | EcsContainer → STS; source
//     profiles are followed through chains, a loop or mfa_serial is a Usage error), then
//     sso_session / sso_start_url, then static keys, then credential_process;
//  3. web identity from the environment: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
//     (+ AWS_ROLE_SESSION_NAME) → STS AssumeRoleWithWebIdentity;
//  4. container credentials (container_provider.h);
//  5. EC2 instance metadata, IMDSv2 (imds_provider.h), unless AWS_EC2_METADATA_DISABLED=true.
//
// Contract:
//  - A profile named explicitly (--profile or AWS_PROFILE) that exists in neither file is a
//    Usage error naming both files; a missing "default" profile just moves on.
//  - The chosen source is asked once before this returns, so a source that is configured but
//    fails (STS refuses, the SSO login expired) is reported here, with its name, instead of on
//    the first request. Instance metadata is the only source tried by asking: when it does not
//    answer, the chain ends.
//  - Nothing found: a Usage error listing every source tried, in order, and why each did not
//    apply — never a value.
//  - The result is a RefreshingProvider (refreshing_provider.h): temporary credentials are
//    renewed before they expire; its Describe() is what `dredge check` prints.
#pragma once

#include <string>

#include "store/aws/credential_provider.h"
#include "store/aws/shared_config.h"

namespace dredge::aws {

Result<ProviderPtr> ResolveCredentialChain(const std::string& explicit_profile,
                                           const AwsContext& ctx, const SharedConfig& files);

}  // namespace dredge::aws
