#include "store/s3/aws_config.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <vector>

#include "common/log.h"

namespace dredge::s3 {
namespace {

using Section = std::map<std::string, std::string>;

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

// Reads one section of an AWS ini file. Returns nullopt when the file cannot be opened or the
// section is absent; `found_file` says which.
std::optional<Section> ReadIniSection(const std::string& path, const std::string& section,
                                      bool* found_file) {
  std::ifstream in(path);
  *found_file = in.good();
  if (!in) return std::nullopt;
  std::optional<Section> out;
  bool inside = false;
  std::string line;
  while (std::getline(in, line)) {
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[' && t.back() == ']') {
      // "[profile  name]" and "[ name ]" both occur in the wild.
      std::string name = Trim(std::string_view(t).substr(1, t.size() - 2));
      inside = name == section;
      if (inside && !out) out.emplace();
      continue;
    }
    if (!inside) continue;
    auto eq = t.find('=');
    if (eq == std::string::npos) continue;
    (*out)[Trim(std::string_view(t).substr(0, eq))] = Trim(std::string_view(t).substr(eq + 1));
  }
  return out;
}

std::string Get(const std::optional<Section>& s, const char* key) {
  if (!s) return "";
  auto it = s->find(key);
  return it == s->end() ? "" : it->second;
}

}  // namespace

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

Result<AwsConfig> LoadAwsConfig(const StoreOptions& opts, const EnvFn& env) {
  auto var = [&](const char* name) { return env(name).value_or(""); };
  const std::string home = var("HOME");
  const std::string profile = !opts.profile.empty()
                                  ? opts.profile
                                  : (var("AWS_PROFILE").empty() ? "default" : var("AWS_PROFILE"));
  std::string cred_file = var("AWS_SHARED_CREDENTIALS_FILE");
  if (cred_file.empty() && !home.empty()) cred_file = home + "/.aws/credentials";
  std::string config_file = var("AWS_CONFIG_FILE");
  if (config_file.empty() && !home.empty()) config_file = home + "/.aws/config";

  bool cred_exists = false, config_exists = false;
  std::optional<Section> cred_section, config_section;
  if (!cred_file.empty()) cred_section = ReadIniSection(cred_file, profile, &cred_exists);
  if (!config_file.empty()) {
    config_section = ReadIniSection(
        config_file, profile == "default" ? "default" : "profile " + profile, &config_exists);
  }

  AwsConfig cfg;
  std::vector<std::string> tried;
  auto from_env = [&]() -> bool {
    tried.push_back("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");
    std::string id = var("AWS_ACCESS_KEY_ID"), secret = var("AWS_SECRET_ACCESS_KEY");
    if (id.empty() || secret.empty()) return false;
    cfg.credentials = {id, secret, var("AWS_SESSION_TOKEN")};
    cfg.credentials_source = "environment";
    return true;
  };
  auto from_file = [&](const std::string& path, bool exists, const std::optional<Section>& s,
                       const std::string& section_name) -> bool {
    if (path.empty()) return false;
    tried.push_back(path + " [" + section_name + "]" +
                    (!exists ? " (no such file)"
                     : !s    ? " (no such profile)"
                             : ""));
    std::string id = Get(s, "aws_access_key_id"), secret = Get(s, "aws_secret_access_key");
    if (id.empty() || secret.empty()) return false;
    cfg.credentials = {id, secret, Get(s, "aws_session_token")};
    cfg.credentials_source = path + " [" + section_name + "]";
    return true;
  };
  const std::string config_name = profile == "default" ? "default" : "profile " + profile;
  bool found = false;
  if (opts.profile.empty()) found = from_env();
  if (!found) found = from_file(cred_file, cred_exists, cred_section, profile);
  if (!found) found = from_file(config_file, config_exists, config_section, config_name);
  if (!found) {
    std::string list;
    for (const auto& t : tried) list += (list.empty() ? "" : "; ") + t;
    return Status::Usage(
        "no AWS credentials found for the s3:// destination (tried: " + list +
        "): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add aws_access_key_id and "
        "aws_secret_access_key to the profile");
  }
  log::RegisterSecret(cfg.credentials.secret_access_key);
  log::RegisterSecret(cfg.credentials.session_token);

  auto first = [](std::initializer_list<std::string> values) {
    for (const auto& v : values)
      if (!v.empty()) return v;
    return std::string();
  };
  cfg.endpoint_url = first({opts.endpoint_url, var("AWS_ENDPOINT_URL_S3"), var("AWS_ENDPOINT_URL"),
                            Get(config_section, "endpoint_url")});
  cfg.region = first({opts.region, var("AWS_REGION"), var("AWS_DEFAULT_REGION"),
                      Get(config_section, "region"), "us-east-1"});
  cfg.ca_bundle = first({opts.ca_bundle, var("AWS_CA_BUNDLE"), Get(config_section, "ca_bundle")});
  return cfg;
}

}  // namespace dredge::s3
