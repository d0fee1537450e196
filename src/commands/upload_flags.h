// --abort-incomplete-after DURATION on `backup` (all tiers, files, db) and `prune`: how old an
// incomplete multipart upload that no live run owns must be before the run aborts it
// (ops/upload_cleanup.h). The flag wins over `abort_incomplete_after` of the destination's
// dredge.toml entry; the default is 24h; 0s aborts every one that no live lease owns.
#pragma once

#include <chrono>
#include <string>

#include <CLI/CLI.hpp>

#include "config/dredge_config.h"

namespace dredge {

// Registers the flag; a value that is not a duration ("90s", "45m", "24h", "7d") is a usage
// error when the command line is parsed.
void AddAbortIncompleteFlag(CLI::App& cmd, std::string* value);

// The flag when given (non-empty), else the destination's setting, else 24h.
std::chrono::seconds AbortIncompleteAfter(const std::string& flag, const DestinationConfig& dest);

}  // namespace dredge
