// The one summary `dredge backup`, `restore` and `drill` print at the end of a multi-tier run:
// a line per tier and destination (OK/FAIL with the exit code and reason) on stdout, or with
// `json` one object {"command", "ok", "exit_code", "runs": [each DestOutcome's summary plus
// "tier", "destination", "ok", "exit_code"]}.
#pragma once

#include <string>
#include <vector>

#include "commands/run_setup.h"

namespace dredge {

void PrintRunSummary(const std::string& command, const std::vector<DestOutcome>& outcomes,
                     bool json);

}  // namespace dredge
