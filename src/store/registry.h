// Opens an ObjectStore from a destination URL. One line per driver in registry.cpp.
//   file:///abs/path, file://./rel, /abs/path, ./rel  → FileStore
//   s3://bucket[/prefix]                              → S3Store
//   memory://name                                     → process-wide MemoryStore (tests)
// Every store returned is wrapped by the retry wrapper when the driver is remote.
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

// InvalidArgument naming the URL and listing the supported schemes when unknown.
Result<ParsedUrl> ParseStoreUrl(const std::string& url);

Result<std::shared_ptr<ObjectStore>> OpenStore(const std::string& url, const StoreOptions& opts);

}  // namespace dredge
