// Where the s3:// driver gets its endpoint, region, credentials and CA bundle, following the
// AWS CLI's conventions so a machine set up for `aws` works for dredge unchanged.
//
// Precedence (first found wins):
//  endpoint:    StoreOptions.endpoint_url, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL,
//               endpoint_url in the config profile; empty = AWS itself.
//  credentials: with StoreOptions.profile set: that profile in the credentials file, then in
//               the config file. Otherwise AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY
//               (+ AWS_SESSION_TOKEN), then the profile AWS_PROFILE (or "default") in
//               AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials), then in
//               AWS_CONFIG_FILE (default ~/.aws/config, section "[profile NAME]" or "[default]").
//  region:      StoreOptions.region, AWS_REGION, AWS_DEFAULT_REGION, region in the config
//               profile, else us-east-1.
//  CA bundle:   StoreOptions.ca_bundle, AWS_CA_BUNDLE, ca_bundle in the config profile.
//
// The secret key and session token are registered with log::RegisterSecret the moment they
// are read. Missing credentials are a Usage error listing every variable and file tried (and
// never a secret value). The environment is injected so tests need not touch the process's.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/s3/sigv4.h"
#include "store/store_options.h"

namespace dredge::s3 {

using EnvFn = std::function<std::optional<std::string>(const std::string& name)>;

// Reads the process environment; unset and empty variables are both nullopt.
std::optional<std::string> ProcessEnv(const std::string& name);

struct AwsConfig {
  std::string endpoint_url;  // "" = AWS (https://s3.<region>.amazonaws.com)
  std::string region;
  Credentials credentials;
  std::string ca_bundle;
  std::string credentials_source;  // "environment" or "<file> [profile]": for messages
};

Result<AwsConfig> LoadAwsConfig(const StoreOptions& opts, const EnvFn& env = ProcessEnv);

}  // namespace dredge::s3
