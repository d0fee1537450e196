// Where the s3:// driver gets its endpoint, region, credentials and CA bundle, following the
// AWS CLI's conventions so a machine set up for `aws` works for dredge unchanged.
//
// Precedence (first found wins):
//  endpoint:    StoreOptions.endpoint_url, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL,
//               endpoint_url in the config profile; empty = AWS itself.
//  credentials: the AWS SDKs' chain (store/aws/credential_chain.h): environment, the profile
//               (StoreOptions.profile, AWS_PROFILE, "default") with keys, roles, SSO or a
//               credential_process, web identity, container, instance metadata.
//  region:      StoreOptions.region, AWS_REGION, AWS_DEFAULT_REGION, region in the config
//               profile, else us-east-1.
//  CA bundle:   StoreOptions.ca_bundle, AWS_CA_BUNDLE, ca_bundle in the config profile.
//
// Every secret is registered with log::RegisterSecret the moment it is read. Missing
// credentials are a Usage error listing every source tried (and never a secret value). The
// environment is injected so tests need not touch the process's.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/aws/credential_provider.h"
#include "store/store_options.h"

namespace dredge::s3 {

using aws::EnvFn;
using aws::ProcessEnv;

struct AwsConfig {
  std::string endpoint_url;  // "" = AWS (https://s3.<region>.amazonaws.com)
  std::string region;
  // Current credentials on every Get(), refreshed before they expire; thread-safe.
  aws::ProviderPtr credentials;
  std::string ca_bundle;
  std::string credentials_source;  // credentials->Describe(), for messages and `dredge check`
};

Result<AwsConfig> LoadAwsConfig(const StoreOptions& opts, const EnvFn& env = ProcessEnv);

// Credentials that never change, for tests and callers that hold keys already.
aws::ProviderPtr StaticCredentials(Credentials keys, std::string description = "static");

}  // namespace dredge::s3
