#include "store/aws/credential_provider.h"

#include <chrono>
#include <cstdlib>

#include "common/log.h"
#include "common/time_util.h"

namespace dredge::aws {

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

int64_t AwsContext::NowMs() const {
  if (now_ms) return now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

StaticProvider::StaticProvider(s3::Credentials keys, std::string description)
    : keys_(std::move(keys)), description_(std::move(description)) {
  log::RegisterSecret(keys_.secret_access_key);
  log::RegisterSecret(keys_.session_token);
}

s3::Credentials TakeKeys(std::string id, std::string secret, std::string token) {
  log::RegisterSecret(secret);
  log::RegisterSecret(token);
  return s3::Credentials{std::move(id), std::move(secret), std::move(token)};
}

Result<int64_t> ParseExpiryMs(const std::string& text) {
  std::string t = text;
  if (t.size() > 3 && t.compare(t.size() - 3, 3, "UTC") == 0) t = t.substr(0, t.size() - 3) + "Z";
  if (t.empty() || (t.back() != 'Z' && t.find('+', 10) == std::string::npos &&
                    t.find('-', 10) == std::string::npos))
    t += "Z";  // AWS writes UTC; never read an expiry as local time
  auto ns = ParseIsoTime(t);
  if (!ns.ok())
    return Status::Corrupt("the credentials' expiry '" + text + "' is not an ISO 8601 time");
  return *ns / 1000000;
}

}  // namespace dredge::aws
