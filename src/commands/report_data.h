// What `dredge report` shows, read from the stores and nothing else: per tier and destination
// the run records (ops/run_record.h) and the newest check records (ops/check_record.h). A
// plain value, so the page (commands/report_html.h) is rendered and tested without a store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "ops/check_record.h"
#include "ops/run_record.h"
#include "store/object_store.h"

namespace dredge {

// Charts show at most this many runs, the newest.
inline constexpr size_t kReportMaxRuns = 100;

struct ReportSection {
  std::string tier;                       // "files" or "db"
  std::string destination;                // the URL as configured or given
  std::string error;                      // reading the store failed (the rest is then empty)
  std::vector<RunRecord> runs;            // backup runs, oldest first, at most kReportMaxRuns
  size_t total_runs = 0;                  // every backup run record of the tier
  std::optional<RunRecord> last_success;  // newest ok backup (also when older than `runs`)
  std::optional<CheckRecord> verify, verify_deep, drill;
};

struct ReportData {
  int64_t generated_ns = 0;
  std::vector<ReportSection> sections;
};

// Reads one tier of one open store into a section. Errors of the store land in `error`.
ReportSection GatherSection(ObjectStore& store, const std::string& tier,
                            const std::string& destination);

}  // namespace dredge
