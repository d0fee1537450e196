#include "commands/report_data.h"

#include <algorithm>

namespace dredge {

ReportSection GatherSection(ObjectStore& store, const std::string& tier,
                            const std::string& destination) {
  ReportSection s;
  s.tier = tier;
  s.destination = destination;
  auto runs = ListRunRecords(store, tier);
  if (!runs.ok()) {
    s.error = runs.status().message();
    return s;
  }
  std::vector<RunRecord> backups;
  for (auto& r : *runs)
    if (r.command.empty() || r.command == "backup") backups.push_back(std::move(r));
  s.total_runs = backups.size();
  for (auto it = backups.rbegin(); it != backups.rend(); ++it)
    if (it->ok()) {
      s.last_success = *it;
      break;
    }
  size_t from = backups.size() > kReportMaxRuns ? backups.size() - kReportMaxRuns : 0;
  s.runs.assign(std::make_move_iterator(backups.begin() + static_cast<std::ptrdiff_t>(from)),
                std::make_move_iterator(backups.end()));
  struct Want {
    const char* kind;
    std::optional<CheckRecord>* out;
  };
  for (Want w :
       {Want{"verify", &s.verify}, Want{"verify-deep", &s.verify_deep}, Want{"drill", &s.drill}}) {
    auto c = NewestCheckRecord(store, tier, w.kind);
    if (!c.ok()) {
      s.error = c.status().message();
      return s;
    }
    *w.out = std::move(*c);
  }
  return s;
}

}  // namespace dredge
