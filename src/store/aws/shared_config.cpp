#include "store/aws/shared_config.h"

#include <fstream>

namespace dredge::aws {
namespace {

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

// Every section of an ini file, by its bracketed name ("profile x", "default", ...).
std::map<std::string, IniSection> ReadIni(const std::string& path, bool* exists) {
  std::map<std::string, IniSection> out;
  std::ifstream in(path);
  *exists = !path.empty() && in.good();
  if (!*exists) return out;
  IniSection* current = nullptr;
  std::string last_key;
  std::string line;
  while (std::getline(in, line)) {
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[' && t.back() == ']') {
      // "[profile  name]" and "[ name ]" both occur in the wild.
      std::string name = Trim(std::string_view(t).substr(1, t.size() - 2));
      if (auto sp = name.find_first_of(" \t"); sp != std::string::npos)
        name = name.substr(0, sp) + " " + Trim(std::string_view(name).substr(sp));
      current = &out[name];
      last_key.clear();
      continue;
    }
    if (!current) continue;
    const bool indented = line[0] == ' ' || line[0] == '\t';
    if (indented && !last_key.empty() && (*current)[last_key].empty()) continue;  // sub-setting
    auto eq = t.find('=');
    if (eq == std::string::npos) continue;
    last_key = Trim(std::string_view(t).substr(0, eq));
    (*current)[last_key] = Trim(std::string_view(t).substr(eq + 1));
  }
  return out;
}

}  // namespace

std::optional<IniSection> SharedConfig::Profile(const std::string& name) const {
  std::optional<IniSection> out;
  if (auto it = profiles.find(name); it != profiles.end()) out = it->second;
  if (auto it = credentials.find(name); it != credentials.end()) {
    if (!out) out.emplace();
    for (const auto& [k, v] : it->second) (*out)[k] = v;
  }
  return out;
}

std::optional<IniSection> SharedConfig::SsoSession(const std::string& name) const {
  auto it = sso_sessions.find(name);
  if (it == sso_sessions.end()) return std::nullopt;
  return it->second;
}

std::string SharedConfig::Describe() const {
  auto one = [](const std::string& p, bool exists) {
    return p.empty() ? std::string("(no HOME)") : p + (exists ? "" : " (no such file)");
  };
  return one(credentials_path, credentials_exists) + ", " + one(config_path, config_exists);
}

SharedConfig LoadSharedConfig(const AwsContext& ctx) {
  SharedConfig c;
  const std::string home = ctx.Var("HOME");
  c.credentials_path = ctx.Var("AWS_SHARED_CREDENTIALS_FILE");
  if (c.credentials_path.empty() && !home.empty()) c.credentials_path = home + "/.aws/credentials";
  c.config_path = ctx.Var("AWS_CONFIG_FILE");
  if (c.config_path.empty() && !home.empty()) c.config_path = home + "/.aws/config";
  c.credentials = ReadIni(c.credentials_path, &c.credentials_exists);
  for (auto& [name, section] : ReadIni(c.config_path, &c.config_exists)) {
    if (name == "default") {
      c.profiles[name] = std::move(section);
    } else if (name.rfind("profile ", 0) == 0) {
      c.profiles[name.substr(8)] = std::move(section);
    } else if (name.rfind("sso-session ", 0) == 0) {
      c.sso_sessions[name.substr(12)] = std::move(section);
    }
  }
  return c;
}

std::string Value(const std::optional<IniSection>& s, const std::string& key) {
  if (!s) return "";
  auto it = s->find(key);
  return it == s->end() ? "" : it->second;
}

std::string ActiveProfileName(const std::string& explicit_profile, const AwsContext& ctx) {
  if (!explicit_profile.empty()) return explicit_profile;
  std::string p = ctx.Var("AWS_PROFILE");
  return p.empty() ? "default" : p;
}

}  // namespace dredge::aws
