// Credentials from a profile's credential_process: the command is run with /bin/sh -c (the
// process's environment, stdin from /dev/null, stderr passed through so its own messages
// reach the user) and must print, on stdout, JSON as the AWS CLI documents it:
//   {"Version": 1, "AccessKeyId": "...", "SecretAccessKey": "...", "SessionToken": "...",
//    "Expiration": "2024-05-01T12:00:00Z"}
// SessionToken and Expiration are optional (no Expiration: the credentials do not expire).
//
// Contract: the output is never logged or quoted in an error — messages name the profile, the
// exit status or the missing field only; the secret and token are registered as secrets before
// anything is checked. A command that runs longer than 60 s is killed and reported.
#pragma once

#include "store/aws/credential_provider.h"

namespace dredge::aws {

class ProcessProvider final : public CredentialProvider {
 public:
  ProcessProvider(std::string command, std::string profile);
  Result<AwsCredentials> Get() override;
  std::string Describe() const override { return "credential process (profile " + profile_ + ")"; }

 private:
  std::string command_;
  std::string profile_;
};

}  // namespace dredge::aws
