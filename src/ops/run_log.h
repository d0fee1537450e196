// Per-run log files: `<dir>/dredge-<tier>-<YYYYMMDD_HHMMSS>.log` (UTC start time), opened through
// log::OpenFile so every log line of the run (scrubbed of secrets, in the chosen text or JSON
// format) lands there as well as on stderr.
//
// OpenRunLog creates the directory, opens the file (a second run of the tier in the same second
// gets "-2", "-3", … appended), then deletes the oldest logs of the same tier so that at most
// `keep` remain, the new one included (keep 0 = keep all). Logs of other tiers and other files
// in the directory are never touched. RunLog closes the file when destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace dredge {

struct RunLogOptions {
  std::string dir = "logs";
  std::string tier;
  int keep = 30;
  int64_t start_ns = 0;  // 0 = now
};

class RunLog {
 public:
  static Result<std::unique_ptr<RunLog>> Open(const RunLogOptions& options);
  ~RunLog();
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;
  const std::string& path() const { return path_; }

 private:
  explicit RunLog(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// The run logs of `tier` in `dir`, oldest first (by the time in their names).
std::vector<std::string> ListRunLogs(const std::string& dir, const std::string& tier);

}  // namespace dredge
