#include "commands/run_summary.h"

#include <cstdio>

#include "cli/output.h"
#include "commands/files_command_support.h"
#include "common/exit_codes.h"
#include "common/log.h"

namespace dredge {

void PrintRunSummary(const std::string& command, const std::vector<DestOutcome>& outcomes,
                     bool json) {
  int code = CombinedExitCode(outcomes);
  if (json) {
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& o : outcomes) {
      nlohmann::json r = o.summary.is_object() ? o.summary : nlohmann::json::object();
      r["tier"] = o.tier;
      r["destination"] = o.destination;
      r["ok"] = o.status.ok();
      r["exit_code"] = ExitCodeFor(o.status);
      if (!o.status.ok()) r["error"] = log::Scrub(o.status.message());
      runs.push_back(r);
    }
    PrintJson({{"command", command}, {"ok", code == kExitOk}, {"exit_code", code}, {"runs", runs}});
    return;
  }
  PrintTextF("%s summary:\n", command.c_str());
  for (const auto& o : outcomes) {
    std::string detail = o.status.ok() ? ""
                                       : "  exit " + std::to_string(ExitCodeFor(o.status)) + ": " +
                                             log::Scrub(o.status.message());
    PrintTextF("  %-4s  %-5s  %s%s\n", o.status.ok() ? "OK" : "FAIL", o.tier.c_str(),
               o.destination.c_str(), detail.c_str());
  }
  PrintTextF("  %s: exit %d\n", code == kExitOk ? "all succeeded" : "NOT all succeeded", code);
}

}  // namespace dredge
