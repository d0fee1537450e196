#include "store/s3/s3_region.h"

#include <map>
#include <mutex>

#include "store/s3/s3_xml.h"

namespace dredge::s3 {
namespace {

std::mutex regions_mu;
std::map<std::string, std::string>& Regions() {
  static std::map<std::string, std::string> regions;
  return regions;
}

std::string RegionKey(const std::string& endpoint, const std::string& bucket) {
  return endpoint + "\n" + bucket;
}

// A region goes into the Host of AWS endpoints: only the characters region names use.
bool IsRegionName(const std::string& r) {
  if (r.empty() || r.size() > 40) return false;
  for (char c : r)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

}  // namespace

bool IsRegionRedirect(const HttpResponse& resp, std::string_view method) {
  if (resp.status == 301 || resp.status == 302 || resp.status == 307) return true;
  if (method == "HEAD") return resp.status == 400 && !resp.Header("x-amz-bucket-region").empty();
  auto body = ParseErrorBody(resp.body);
  if (!body) return false;
  return body->code == "PermanentRedirect" ||
         (body->code == "AuthorizationHeaderMalformed" && !body->region.empty());
}

std::string RegionFromAnswer(const HttpResponse& resp) {
  std::string region = resp.Header("x-amz-bucket-region");
  if (region.empty()) {
    auto body = ParseErrorBody(resp.body);
    if (body) region = body->region;
  }
  return IsRegionName(region) ? region : "";
}

void RememberBucketRegion(const std::string& endpoint, const std::string& bucket,
                          const std::string& region) {
  std::lock_guard lock(regions_mu);
  Regions()[RegionKey(endpoint, bucket)] = region;
}

std::string RememberedBucketRegion(const std::string& endpoint, const std::string& bucket) {
  std::lock_guard lock(regions_mu);
  auto it = Regions().find(RegionKey(endpoint, bucket));
  return it == Regions().end() ? "" : it->second;
}

}  // namespace dredge::s3
