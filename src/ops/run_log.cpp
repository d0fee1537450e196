#include "ops/run_log.h"

#include <algorithm>
#include <filesystem>

#include "common/log.h"
#include "common/time_util.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;

// "dredge-files-20250527_001234.log" or "…_001234-2.log": the time part sorts as text.
bool IsRunLogOf(const std::string& name, const std::string& tier) {
  std::string prefix = "dredge-" + tier + "-";
  if (name.rfind(prefix, 0) != 0 || name.size() < prefix.size() + 15 + 4) return false;
  if (name.compare(name.size() - 4, 4, ".log") != 0) return false;
  std::string stamp = name.substr(prefix.size(), 15);
  return ParseCompactUtc(stamp).ok();
}

// Sort key: stamp, then the numeric suffix (so "-10" follows "-9").
std::pair<std::string, int> SortKey(const std::string& name, const std::string& tier) {
  size_t start = std::string("dredge-").size() + tier.size() + 1;
  std::string stamp = name.substr(start, 15);
  std::string rest = name.substr(start + 15, name.size() - start - 15 - 4);
  int n = rest.size() > 1 && rest[0] == '-' ? std::atoi(rest.c_str() + 1) : 1;
  return {stamp, n};
}

}  // namespace

std::vector<std::string> ListRunLogs(const std::string& dir, const std::string& tier) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file(ec) && IsRunLogOf(name, tier)) names.push_back(name);
  }
  std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    return SortKey(a, tier) < SortKey(b, tier);
  });
  std::vector<std::string> out;
  for (const auto& n : names) out.push_back((fs::path(dir) / n).string());
  return out;
}

Result<std::unique_ptr<RunLog>> RunLog::Open(const RunLogOptions& o) {
  std::error_code ec;
  fs::create_directories(o.dir, ec);
  if (ec)
    return Status::Io("cannot create log directory '" + o.dir + "': " + ec.message() +
                      ": choose another with --log-dir or [logging] dir");
  int64_t start = o.start_ns ? o.start_ns : NowUnixNanos();
  std::string base =
      (fs::path(o.dir) / ("dredge-" + o.tier + "-" + FormatCompactUtc(start / 1000000000)))
          .string();
  std::string path = base + ".log";
  for (int n = 2; fs::exists(path, ec); ++n) path = base + "-" + std::to_string(n) + ".log";
  if (!log::OpenFile(path))
    return Status::Io("cannot open log file '" + path +
                      "': check permissions, or choose another directory with --log-dir");
  if (o.keep > 0) {
    auto logs = ListRunLogs(o.dir, o.tier);
    for (size_t i = 0; i + static_cast<size_t>(o.keep) < logs.size(); ++i) {
      if (logs[i] == path) continue;
      fs::remove(logs[i], ec);
      if (ec) log::Warn("cannot remove old log '" + logs[i] + "': " + ec.message());
    }
  }
  return std::unique_ptr<RunLog>(new RunLog(path));
}

RunLog::~RunLog() {
  log::CloseFile();
}

}  // namespace dredge
