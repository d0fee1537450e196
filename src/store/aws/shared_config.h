// The AWS shared files as the SDKs read them: ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE)
// with sections "[NAME]", and ~/.aws/config (AWS_CONFIG_FILE) with "[default]",
// "[profile NAME]" and "[sso-session NAME]".
//
// Contract:
//  - Lines: "key = value" (spaces around both trimmed, CR stripped), '#' and ';' comments,
//    indented lines under a key with an empty value are that key's sub-settings (e.g.
//    "s3 =\n  addressing_style = path") and are skipped. Later keys replace earlier ones.
//  - Profile(NAME) merges the config file's section with the credentials file's, the
//    credentials file winning key by key, as the SDKs do; nullopt when neither has it.
//  - A file that does not exist is empty; Describe says which files were found.
//  - Nothing here registers secrets: providers do, the moment they take a value.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "store/aws/credential_provider.h"

namespace dredge::aws {

using IniSection = std::map<std::string, std::string>;

struct SharedConfig {
  std::string credentials_path, config_path;
  bool credentials_exists = false, config_exists = false;
  std::map<std::string, IniSection> credentials;   // by profile name
  std::map<std::string, IniSection> profiles;      // config file, by profile name
  std::map<std::string, IniSection> sso_sessions;  // config file, by session name

  std::optional<IniSection> Profile(const std::string& name) const;
  std::optional<IniSection> SsoSession(const std::string& name) const;
  // "~/.aws/credentials (no such file), ~/.aws/config": for messages.
  std::string Describe() const;
};

SharedConfig LoadSharedConfig(const AwsContext& ctx);

// The value of `key` in `s`, or "".
std::string Value(const std::optional<IniSection>& s, const std::string& key);

// The profile in effect: the explicit one (--profile), else AWS_PROFILE, else "default".
std::string ActiveProfileName(const std::string& explicit_profile, const AwsContext& ctx);

}  // namespace dredge::aws
