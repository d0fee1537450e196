// Flags every command with a --dest shares (--endpoint-url, --region, --profile, --sse,
// --sse-kms-key-id, --storage-class, --ca-bundle, --path-style), and the one function commands
// call to open a destination: it applies the flags, opens the driver and adds the cross-cutting
// wrappers (retry, rate limits), so commands never open drivers directly.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "common/status.h"
#include "store/object_store.h"
#include "store/store_options.h"

namespace dredge {

void AddStoreFlags(CLI::App& cmd, StoreOptions* opts);

Result<std::shared_ptr<ObjectStore>> OpenDestination(const std::string& url,
                                                     const StoreOptions& opts);

}  // namespace dredge
