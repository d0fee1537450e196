// What `dredge drill --dry-run` shows of a destination's plan (engine/drill/files_drill_plan.h,
// engine/drill/db_drill_plan.h), as the --json member of its run and as human lines through
// cli/output.h:
//  - files: a header line naming the destination, snapshot, the sample's count and bytes, the
//    seed, where the scratch directory would go and the source compared with; then one line per
//    sampled file, "would restore <path> (<size>, md5 <md5>)";
//  - db: a header line naming the destination, manifest, table count, rows to restore, the
//    scratch schema and database and the row sample; then one line per table.
// Nothing here reads or writes a store or database.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/drill/db_drill_plan.h"
#include "engine/drill/files_drill_plan.h"

namespace dredge {

nlohmann::json FilesDrillPlanJson(const FilesDrillPlan& plan);
void PrintFilesDrillPlan(const FilesDrillPlan& plan, const std::string& dest);

nlohmann::json DbDrillPlanJson(const DbDrillPlan& plan);
void PrintDbDrillPlan(const DbDrillPlan& plan, const std::string& dest);

}  // namespace dredge
