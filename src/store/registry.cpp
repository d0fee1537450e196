#include "store/registry.h"

#include <filesystem>
#include <map>
#include <mutex>

#include "store/driver_options.h"
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
    {"s3", "S3 or an S3-compatible server", &OpenS3, S3Options(), {true, true, true}, true, false},
};

}  // namespace

std::span<const DriverSpec> Drivers() {
  return kDrivers;
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
