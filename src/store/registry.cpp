#include "store/registry.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "store/file/file_store.h"
#include "store/memory/memory_store.h"
#include "store/readonly/readonly_store.h"
#include "store/s3/s3_store.h"

namespace dredge {
namespace {

Result<std::shared_ptr<ObjectStore>> OpenMemory(const std::string& rest, const StoreOptions&) {
  static std::mutex mu;
  static auto* stores = new std::map<std::string, std::shared_ptr<MemoryStore>>();
  std::lock_guard lock(mu);
  auto& s = (*stores)[rest];
  if (!s) s = std::make_shared<MemoryStore>(rest);
  return std::shared_ptr<ObjectStore>(s);
}

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

// One line per driver.
const DriverSpec kDrivers[] = {
    {"memory",
     "in-memory store of this process (tests)",
     &OpenMemory,
     {},
     {true, true, true},
     false,
     false},
    {"file", "a local or mounted directory", &OpenFile, {}, {true, false, true}, false, true},
    {"ro+file",
     "a directory, read-only: every write is refused",
     &OpenReadOnlyFile,
     {},
     {false, false, false},
     false,
     true},
    {"s3", "S3 or an S3-compatible server", &OpenS3, kS3Options, {true, true, true}, true, false},
};

}  // namespace

std::span<const DriverSpec> Drivers() {
  return kDrivers;
}

std::vector<const StoreOptionSpec*> AllStoreOptions() {
  std::vector<const StoreOptionSpec*> out;
  std::set<std::string_view> seen;
  for (const auto& d : kDrivers)
    for (const auto& o : d.options)
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

Result<ParsedUrl> ParseStoreUrl(const std::string& url) {
  if (url.empty()) return Status::Usage("the destination URL is empty");
  auto pos = url.find("://");
  ParsedUrl out;
  out.scheme = pos == std::string::npos ? "file" : url.substr(0, pos);
  out.rest = pos == std::string::npos ? url : url.substr(pos + 3);
  for (const auto& d : kDrivers)
    if (out.scheme == d.scheme) out.driver = &d;
  if (!out.driver) {
    std::string known;
    for (const auto& d : kDrivers)
      known += std::string(known.empty() ? "" : ", ") + d.scheme + "://";
    return Status::Usage("unsupported destination '" + url + "': use one of " + known);
  }
  if (out.driver->path_url) {
    if (out.rest.empty()) return Status::Usage(out.scheme + ":// URL '" + url + "' has no path");
    std::error_code ec;
    auto abs = std::filesystem::absolute(out.rest, ec);
    if (ec) return Status::Usage("cannot resolve path of '" + url + "': " + ec.message());
    out.rest = abs.lexically_normal().string();
    if (out.rest.size() > 1 && out.rest.back() == '/') out.rest.pop_back();
  }
  return out;
}

Result<std::shared_ptr<ObjectStore>> OpenStore(const std::string& url, const StoreOptions& opts) {
  DREDGE_ASSIGN_OR_RETURN(ParsedUrl p, ParseStoreUrl(url));
  return p.driver->open(p.rest, opts);
}

}  // namespace dredge
