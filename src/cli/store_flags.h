// Flags every command with a --dest shares (--endpoint-url, --region, --profile, --sse,
// --sse-kms-key-id, --storage-class, --ca-bundle, --path-style), and the one function commands
// call to open a destination: it applies the flags, opens the driver and adds the cross-cutting
// wrappers (retry, rate limits), so commands never open drivers directly.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "common/status.h"
#include "config/dredge_config.h"
#include "ops/limits.h"
#include "store/object_store.h"
#include "store/store_options.h"

namespace dredge {

void AddStoreFlags(CLI::App& cmd, StoreOptions* opts);

// Options for a configured destination: its own entry's fields, each replaced by the flag of
// the same name when that flag was given (non-empty / set in `flags`).
StoreOptions MergeStoreOptions(const DestinationConfig& dest, const StoreOptions& flags);

// The process-wide Limiter every store opened from now on is wrapped with (null = no limits).
// Set once, before the first destination is opened; one limiter for the whole process is what
// makes --bwlimit a cap on the sum over workers, destinations and tiers.
void SetProcessLimiter(std::shared_ptr<Limiter> limiter);

// Opens the driver and wraps it: limits innermost (every retry attempt pays), then retry for
// remote stores. The one place where wrappers are added.
Result<std::shared_ptr<ObjectStore>> OpenDestination(const std::string& url,
                                                     const StoreOptions& opts);

}  // namespace dredge
