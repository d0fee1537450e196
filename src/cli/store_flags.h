// Flags every command with a --dest shares: one per option row of every store driver
// (store/registry.h: --endpoint-url, --region, ... with the row's help and dredge.toml key) and
// --object-lock-mode/--object-lock-retain (config/option_table.h's DestinationKeys), and the one
// function commands call to open a destination: it applies the flags, opens the driver and adds
// the cross-cutting wrappers (rate limits, retry for drivers registered as retried), so commands
// never open drivers directly.
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

// Object Lock (docs/object-lock.md), kept together: --object-lock-mode/--object-lock-retain
// (added by AddStoreFlags), the flag-over-entry merge (field by field), and the wrapping that
// OpenDestination does: the settings are checked (Usage naming the field), a non-s3:// store is
// refused, the bucket must pass the pre-flight check (S3Store::BucketObjectLock; Usage naming
// the bucket setting, before anything is written), and then `wrapped` is returned inside a
// RetentionStore (ops/retention_store.h). Without object lock settings `wrapped` is returned.
void AddObjectLockFlags(CLI::App& cmd, ObjectLockSettings* o);
ObjectLockSettings MergeObjectLock(const ObjectLockSettings& dest, const ObjectLockSettings& flags);
Result<std::shared_ptr<ObjectStore>> ApplyObjectLock(const std::string& url,
                                                     const StoreOptions& opts,
                                                     std::shared_ptr<ObjectStore> driver,
                                                     std::shared_ptr<ObjectStore> wrapped);

// Options for a configured destination: its own entry's fields, each replaced by the flag of
// the same name when that flag was given (non-empty / set in `flags`).
StoreOptions MergeStoreOptions(const DestinationConfig& dest, const StoreOptions& flags);

// The process-wide Limiter every store opened from now on is wrapped with (null = no limits).
// Set once, before the first destination is opened; one limiter for the whole process is what
// makes --bwlimit a cap on the sum over workers, destinations and tiers.
void SetProcessLimiter(std::shared_ptr<Limiter> limiter);

// Opens the driver and wraps it: limits innermost (every retry attempt pays), then retry when
// the driver's registry row asks for it (remote stores). The one place where wrappers are added.
Result<std::shared_ptr<ObjectStore>> OpenDestination(const std::string& url,
                                                     const StoreOptions& opts);

}  // namespace dredge
