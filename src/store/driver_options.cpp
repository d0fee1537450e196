#include "store/driver_options.h"

#include <algorithm>
#include <set>
#include <string_view>

namespace dredge {
namespace {

// s3:// (store/s3/s3_store.h; docs/s3.md). Credentials are never options: the driver reads them
// from the AWS environment and files.
const StoreOptionSpec kS3Options[] = {
    {"endpoint", "--endpoint-url", "AWS_ENDPOINT_URL", "URL",
     "S3-compatible server (MinIO, Ceph, ...); unset = AWS.", "\"http://127.0.0.1:4569\"", "",
     &StoreOptions::endpoint_url, nullptr},
    {"region", "--region", "AWS_REGION", "region name",
     "S3 region; unset = AWS_REGION, AWS_DEFAULT_REGION, the profile's, else us-east-1.",
     "\"us-east-1\"", "", &StoreOptions::region, nullptr},
    {"profile", "--profile", "AWS_PROFILE", "profile name",
     "Profile in ~/.aws/config and ~/.aws/credentials.", "\"backup\"", "", &StoreOptions::profile,
     nullptr},
    {"sse", "--sse", "", "\"AES256\" or \"aws:kms\"", "Server-side encryption of new objects.",
     "\"AES256\"", "AES256|aws:kms", &StoreOptions::sse, nullptr},
    {"sse_kms_key_id", "--sse-kms-key-id", "", "KMS key id", "KMS key with sse = \"aws:kms\".",
     "\"arn:aws:kms:us-east-1:111122223333:key/example\"", "", &StoreOptions::sse_kms_key_id,
     nullptr},
    {"storage_class", "--storage-class", "",
     "STANDARD, STANDARD_IA, ONEZONE_IA or INTELLIGENT_TIERING", "S3 storage class of new objects.",
     "\"STANDARD_IA\"", "STANDARD|STANDARD_IA|ONEZONE_IA|INTELLIGENT_TIERING",
     &StoreOptions::storage_class, nullptr},
    {"ca_bundle", "--ca-bundle", "AWS_CA_BUNDLE", "path",
     "CA certificates for TLS to the endpoint.", "\"/etc/ssl/certs/internal-ca.pem\"", "",
     &StoreOptions::ca_bundle, nullptr},
    {"path_style", "--path-style", "", "boolean",
     "Path-style addressing (IP and localhost endpoints use it anyway).", "true", "", nullptr,
     &StoreOptions::force_path_style},
};

struct SchemeOptions {
  std::string_view scheme;
  std::span<const StoreOptionSpec> rows;
};
// The drivers that take options; every other scheme takes none.
const SchemeOptions kSchemeOptions[] = {{"s3", kS3Options}};

}  // namespace

std::span<const StoreOptionSpec> S3Options() {
  return kS3Options;
}

std::span<const StoreOptionSpec> OptionsOfScheme(std::string_view scheme) {
  for (const auto& s : kSchemeOptions)
    if (s.scheme == scheme) return s.rows;
  return {};
}

std::span<const StoreOptionSpec> OptionsOfUrl(std::string_view url) {
  const size_t pos = url.find("://");
  return OptionsOfScheme(pos == std::string_view::npos ? "file" : url.substr(0, pos));
}

std::string SchemesTaking(std::string_view key) {
  std::string out;
  for (const auto& s : kSchemeOptions)
    for (const auto& o : s.rows)
      if (o.key == key) out += (out.empty() ? "" : ", ") + std::string(s.scheme) + "://";
  return out;
}

std::vector<const StoreOptionSpec*> AllStoreOptions() {
  std::vector<const StoreOptionSpec*> out;
  std::set<std::string_view> seen;
  for (auto rows : {S3Options()})  // one entry per driver that has options
    for (const auto& o : rows)
      if (seen.insert(o.key).second) out.push_back(&o);
  return out;
}

std::vector<std::string> ChoicesOf(const StoreOptionSpec& o) {
  std::vector<std::string> out;
  std::string_view rest = o.choices;
  while (!rest.empty()) {
    size_t bar = std::min(rest.find('|'), rest.size());
    out.emplace_back(rest.substr(0, bar));
    rest.remove_prefix(std::min(bar + 1, rest.size()));
  }
  return out;
}

}  // namespace dredge
