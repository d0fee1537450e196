// The header every dredge JSON record starts with: {"format": "<name>", "version": N, …}
// (docs/formats/: run records, leases, files prune records, file-store sidecars). Writers put
// the two members first; CheckRecordHeader is the one check every reader of such a record makes
// before it reads anything else.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace dredge {

// Ok when `j` is an object whose "format" is `format` and whose "version" is an integer from 1
// to `max_version`. Otherwise Corrupt, the message starting with `what` (the record as the user
// knows it, e.g. "run record '.dredge/runs/…'"):
//  - "<what> is not a <format> record" when `j` is no object or names another format;
//  - "<what> has version N, newer than this dredge understands (M): upgrade dredge";
//  - "<what> has no valid version" when it is missing, not an integer, or below 1.
Status CheckRecordHeader(const nlohmann::json& j, std::string_view format, int max_version,
                         std::string_view what);

}  // namespace dredge
