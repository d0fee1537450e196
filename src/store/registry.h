// Opens an ObjectStore from a destination URL. One line per driver in registry.cpp.
//   file:///abs/path, file://./rel, /abs/path, ./rel  → FileStore
//   s3://bucket[/prefix]                              → S3Store
//   memory://name                                     → process-wide MemoryStore (tests)
// OpenStore returns the bare driver: commands open stores through OpenDestination
// (cli/store_flags.h), which adds the wrappers (rate limits, retry for remote stores).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "store/object_store.h"
#include "store/store_options.h"

namespace dredge {

struct ParsedUrl {
  std::string scheme;  // "file", "s3", "memory"
  std::string rest;    // after "scheme://" (for file: the path, made absolute)
};

// Usage naming the URL and listing the supported schemes when the scheme is unknown, and for
// an empty URL or a file:// URL without a path.
Result<ParsedUrl> ParseStoreUrl(const std::string& url);

Result<std::shared_ptr<ObjectStore>> OpenStore(const std::string& url, const StoreOptions& opts);

}  // namespace dredge
