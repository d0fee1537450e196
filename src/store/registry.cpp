#include "store/registry.h"

#include <filesystem>
#include <map>
#include <mutex>

#include "store/file/file_store.h"
#include "store/memory/memory_store.h"
#include "store/s3/s3_store.h"

namespace dredge {
namespace {

using Factory = Result<std::shared_ptr<ObjectStore>> (*)(const std::string& rest,
                                                         const StoreOptions& opts);

Result<std::shared_ptr<ObjectStore>> OpenMemory(const std::string& rest, const StoreOptions&) {
  static std::mutex mu;
  static auto* stores = new std::map<std::string, std::shared_ptr<MemoryStore>>();
  std::lock_guard lock(mu);
  auto& s = (*stores)[rest];
  if (!s) s = std::make_shared<MemoryStore>(rest);
  return std::shared_ptr<ObjectStore>(s);
}

struct Driver {
  const char* scheme;
  Factory open;
};

// One line per driver.
const Driver kDrivers[] = {
    {"memory", &OpenMemory},
    {"file", &OpenFile},
    {"s3", &OpenS3},
};

}  // namespace

Result<ParsedUrl> ParseStoreUrl(const std::string& url) {
  if (url.empty()) return Status::Usage("the destination URL is empty");
  auto pos = url.find("://");
  ParsedUrl out;
  if (pos == std::string::npos) {
    out.scheme = "file";
    out.rest = url;
  } else {
    out.scheme = url.substr(0, pos);
    out.rest = url.substr(pos + 3);
  }
  if (out.scheme == "file") {
    if (out.rest.empty()) return Status::Usage("file:// URL '" + url + "' has no path");
    std::error_code ec;
    auto abs = std::filesystem::absolute(out.rest, ec);
    if (ec) return Status::Usage("cannot resolve path of '" + url + "': " + ec.message());
    out.rest = abs.lexically_normal().string();
    if (out.rest.size() > 1 && out.rest.back() == '/') out.rest.pop_back();
  }
  for (const auto& d : kDrivers)
    if (out.scheme == d.scheme) return out;
  if (out.scheme == "file") return out;
  std::string known;
  for (const auto& d : kDrivers) known += std::string(known.empty() ? "" : ", ") + d.scheme + "://";
  return Status::Usage("unsupported destination '" + url + "': use one of " + known);
}

Result<std::shared_ptr<ObjectStore>> OpenStore(const std::string& url, const StoreOptions& opts) {
  DREDGE_ASSIGN_OR_RETURN(ParsedUrl p, ParseStoreUrl(url));
  for (const auto& d : kDrivers)
    if (p.scheme == d.scheme) return d.open(p.rest, opts);
  return Status::Unsupported("the " + p.scheme + ":// driver is not built into this dredge");
}

}  // namespace dredge
