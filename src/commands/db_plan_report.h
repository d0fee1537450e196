// How `backup db --dry-run` (and `backup --dry-run` for the db tier) shows the plan of a run
// (engine/db/backup_plan.h) for one destination: as the "plan" member of the destination's
// --json object, and as lines printed through cli/output.h.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/db/backup_plan.h"

namespace dredge {

// {"mode", "manifest_version", "manifest_key", "previous", "horizon", "first_chunk_number",
//  "first_chunk_key", "connections", "encode_workers", "tables": [{"table", "oid", "mode",
//  "full_reason", "key", "after", "prev_max_key"}], "not_backed_up": [{"name", "kind",
//  "action"}]}. `now_secs` names the manifest the run would take now (a real run takes the
// first free second at or after it).
nlohmann::json DbPlanJson(const DbBackupPlan& plan, int64_t now_secs);

// The same as human lines on stdout (PrintText), headed by the destination's URL.
void PrintDbPlan(const DbBackupPlan& plan, const std::string& url, int64_t now_secs);

}  // namespace dredge
