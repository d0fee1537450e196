// The store drivers, each registered in one place (registry.cpp, one DriverSpec per driver):
// its URL scheme, how to open it, the options it takes (dredge.toml destination keys and the
// flags that override them), the most it can offer (capabilities) and whether the stores it opens
// get the retry wrapper. Everything else reads these rows: config/ reads and renders the option
// rows, cli/ turns them into flags and adds the wrappers (OpenDestination,
// cli/store_flags.h), so adding a driver touches its own folder and this registry only
// (docs/CONTRIBUTING.md).
//   file:///abs/path, file://./rel, /abs/path, ./rel  → FileStore
//   ro+file:///abs/path                                → FileStore, read-only (writes refused)
//   s3://bucket[/prefix]                              → S3Store
//   memory://name                                     → process-wide MemoryStore (tests)
// OpenStore returns the bare driver: commands open stores through OpenDestination, which adds
// the wrappers (rate limits, retry where the driver asks for it).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/driver_options.h"
#include "store/object_store.h"
#include "store/store_options.h"

namespace dredge {

struct DriverSpec {
  const char* scheme;   // "s3": URLs "s3://…"
  const char* summary;  // one line for messages and docs: "S3 or an S3-compatible server"
  // Opens the store at `rest` (the URL after "scheme://"; for file-like schemes the absolute
  // path). Capabilities are decided here: the store's capabilities() is a plain answer after.
  Result<std::shared_ptr<ObjectStore>> (*open)(const std::string& rest, const StoreOptions& opts);
  // The keys and flags this driver reads (its rows live in store/driver_options.cpp).
  std::span<const StoreOptionSpec> options;
  // The most a store of this driver may report (capabilities() never exceeds it).
  StoreCapabilities most;
  // Remote: failures may pass (timeouts, 503, SlowDown), so OpenDestination adds RetryStore.
  bool retried;
  // The URL's rest is a path (made absolute and normalised by ParseStoreUrl).
  bool path_url;
};

std::span<const DriverSpec> Drivers();

struct ParsedUrl {
  std::string scheme;  // "file", "s3", "memory", "ro+file"
  std::string rest;    // after "scheme://" (for a path scheme: the path, made absolute)
  const DriverSpec* driver = nullptr;
};

// Usage naming the URL and listing the supported schemes when the scheme is unknown, and for
// an empty URL or a path URL without a path. A URL without "://" is a file path.
Result<ParsedUrl> ParseStoreUrl(const std::string& url);

Result<std::shared_ptr<ObjectStore>> OpenStore(const std::string& url, const StoreOptions& opts);

}  // namespace dredge
