// The [hooks] of a backup (ops/hooks.h), called by `backup files`, `backup db` and `backup`
// right after each destination's run, while the tier's run log is still open, so the hook's
// output lands in it. Never changes the outcome.
#pragma once

#include "commands/run_setup.h"
#include "config/dredge_config.h"

namespace dredge {

void RunHooksAfter(const DredgeConfig& config, const DestOutcome& outcome);

}  // namespace dredge
