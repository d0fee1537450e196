#include "commands/run_hooks.h"

#include "common/exit_codes.h"
#include "ops/hooks.h"
#include "ops/run_identity.h"

namespace dredge {

void RunHooksAfter(const DredgeConfig& config, const DestOutcome& outcome) {
  const auto& s = outcome.summary;
  if (s.is_object() && s.value("dry_run", false)) return;  // a dry run wrote nothing to report
  std::string run_id = s.is_object() && s.contains("run_id") && s["run_id"].is_string()
                           ? s["run_id"].get<std::string>()
                           : std::string();
  if (run_id.empty()) run_id = RandomHex(16);  // failed before it began: no record has an id
  RunBackupHooks(config.hooks, config.logging.dir, config.logging.keep, outcome.tier,
                 outcome.destination, run_id, ExitCodeFor(outcome.status), s);
}

}  // namespace dredge
