// `dredge diff --tier db A B`: rows inserted, updated and deleted per table between two
// manifests (chosen by the selector forms of engine/db/manifest_select.h) and the chunks the
// new rows came from (engine/db/manifest_diff.h). Text: one line per table and chunk, then a
// totals line; --json: one object.
#pragma once

#include <string>

#include "cli/command.h"
#include "common/status.h"
#include "store/store_options.h"

namespace dredge {

Status RunDbDiff(const GlobalOptions& global, const std::string& dest, const std::string& a,
                 const std::string& b, bool json, const StoreOptions& store_flags);

}  // namespace dredge
