// Where the s3:// driver's credentials come from: one interface, one implementation per source
// of the AWS SDKs' chain (see credential_chain.h for the order), and a caching wrapper that
// refreshes temporary credentials before they expire (refreshing_provider.h).
//
// Contract of every CredentialProvider:
//  - Get() is thread-safe and returns credentials that are valid now: a source asks its
//    service on every call; the refreshing wrapper answers from its cache.
//  - Every secret key, session token and bearer token a provider reads is registered with
//    log::RegisterSecret before Get() returns (or before the error that follows it), and no
//    error message ever contains one — nor a credential process's output.
//  - Describe() names the source in the words `dredge check` prints ("environment",
//    "profile NAME", "assume role (…)", "web identity (role ARN)", "container (URL)",
//    "instance metadata (role NAME)", "credential process (profile NAME)", "sso (…)"); never a
//    secret. It does not change after construction.
//  - Errors: Usage for configuration a person must fix (missing file, bad profile, expired SSO
//    login), Permanent when the service refused, Retryable for transport failures and 5xx.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "store/s3/sigv4.h"

namespace dredge::aws {

struct AwsCredentials {
  s3::Credentials keys;
  int64_t expires_ms = 0;  // Unix milliseconds; 0 = does not expire
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  virtual Result<AwsCredentials> Get() = 0;
  virtual std::string Describe() const = 0;
};

using ProviderPtr = std::shared_ptr<CredentialProvider>;

// Reads one environment variable; unset and empty are both nullopt.
using EnvFn = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> ProcessEnv(const std::string& name);

// What every provider may need from its surroundings, injected so tests control all of it.
struct AwsContext {
  EnvFn env = ProcessEnv;
  std::function<int64_t()> now_ms;  // Unix milliseconds; the system clock when empty
  std::string region;               // for STS and default endpoints
  std::string ca_bundle;            // TLS roots for STS and the SSO portal ("" = system)
  std::string endpoint_url;         // endpoint_url of the active profile ("" = none)
  std::string sts_regional;         // sts_regional_endpoints of the active profile

  std::string Var(const std::string& name) const { return env(name).value_or(""); }
  int64_t NowMs() const;
};

// Credentials that never change: from the environment or a profile's static keys. Registers
// the secret and token as secrets when constructed.
class StaticProvider final : public CredentialProvider {
 public:
  StaticProvider(s3::Credentials keys, std::string description);
  Result<AwsCredentials> Get() override { return AwsCredentials{keys_, 0}; }
  std::string Describe() const override { return description_; }

 private:
  s3::Credentials keys_;
  std::string description_;
};

// Keys as read from a source, with the secret and token registered as secrets before anything
// else can see them: every provider builds its credentials through this.
s3::Credentials TakeKeys(std::string id, std::string secret, std::string token);

// Parses an expiry as the AWS services write it ("2024-05-01T12:00:00Z", with or without a
// fraction, or "...UTC" as older aws-cli SSO caches do) into Unix milliseconds.
Result<int64_t> ParseExpiryMs(const std::string& text);

}  // namespace dredge::aws
