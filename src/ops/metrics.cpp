#include "ops/metrics.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

namespace dredge {
namespace {

struct MetricDef {
  const char* name;
  const char* type;
  const char* help;
};

const MetricDef kMetrics[] = {
    {"dredge_last_run_timestamp_seconds", "gauge", "End of the last dredge run (Unix time)."},
    {"dredge_last_run_success", "gauge", "1 if the last dredge run succeeded, else 0."},
    {"dredge_last_run_exit_code", "gauge", "Exit code of the last dredge run."},
    {"dredge_last_run_duration_seconds", "gauge", "Duration of the last dredge run."},
    {"dredge_last_run_objects", "gauge", "Objects written by the last dredge run."},
    {"dredge_last_run_bytes", "gauge", "Bytes sent to the store by the last dredge run."},
    {"dredge_last_run_rows", "gauge", "Rows exported by the last dredge run."},
    {"dredge_last_success_timestamp_seconds", "gauge",
     "End of the last successful dredge run (Unix time)."},
    {"dredge_failures_total", "counter", "Failed dredge runs."},
    {"dredge_consecutive_failures", "gauge", "Failed dredge runs since the last success."},
};

// (metric name, label text) → value text.
using Series = std::map<std::pair<std::string, std::string>, std::string>;

// Reads the series of a file this module wrote; lines it does not understand are dropped.
Series ReadSeries(const std::string& path) {
  Series out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t brace = line.find('{');
    size_t close = line.rfind('}');
    if (brace == std::string::npos || close == std::string::npos || close < brace) continue;
    std::string name = line.substr(0, brace);
    std::string labels = line.substr(brace + 1, close - brace - 1);
    std::string value = line.substr(close + 1);
    while (!value.empty() && value.front() == ' ') value.erase(value.begin());
    if (name.empty() || value.empty()) continue;
    out[{name, labels}] = value;
  }
  return out;
}

std::string Num(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

Status WriteAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return Status::Io("cannot write metrics file '" + tmp + "': " + std::strerror(errno) +
                      ": check that the directory exists and is writable");
  ssize_t n = ::write(fd, text.data(), text.size());
  bool ok = n == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Status::Io("cannot replace metrics file '" + path + "': " + err);
  }
  return Status::Ok();
}

}  // namespace

std::string EscapeLabelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

Status UpdateMetricsFile(const std::string& path, const RunMetrics& run) {
  std::string lock_path = path + ".lock";
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0)
    return Status::Io("cannot open '" + lock_path + "': " + std::strerror(errno) +
                      ": check that the metrics directory exists and is writable");
  ::flock(lock_fd, LOCK_EX);  // held for a few milliseconds by other dredge runs at most

  Series series = ReadSeries(path);
  std::string labels = "tier=\"" + EscapeLabelValue(run.tier) + "\",destination=\"" +
                       EscapeLabelValue(run.destination) + "\"";
  auto get = [&](const char* name) -> double {
    auto it = series.find({name, labels});
    return it == series.end() ? 0 : std::strtod(it->second.c_str(), nullptr);
  };
  auto set = [&](const char* name, double v) { series[{name, labels}] = Num(v); };

  double end_s = run.end_ns / 1e9;
  set("dredge_last_run_timestamp_seconds", end_s);
  set("dredge_last_run_success", run.success ? 1 : 0);
  set("dredge_last_run_exit_code", run.exit_code);
  set("dredge_last_run_duration_seconds", (run.end_ns - run.start_ns) / 1e9);
  set("dredge_last_run_objects", static_cast<double>(run.objects));
  set("dredge_last_run_bytes", static_cast<double>(run.bytes));
  set("dredge_last_run_rows", static_cast<double>(run.rows));
  if (run.success) {
    set("dredge_last_success_timestamp_seconds", end_s);
    set("dredge_consecutive_failures", 0);
    set("dredge_failures_total", get("dredge_failures_total"));
  } else {
    set("dredge_failures_total", get("dredge_failures_total") + 1);
    set("dredge_consecutive_failures", get("dredge_consecutive_failures") + 1);
  }

  std::ostringstream out;
  for (const auto& m : kMetrics) {
    out << "# HELP " << m.name << " " << m.help << "\n# TYPE " << m.name << " " << m.type << "\n";
    for (const auto& [key, value] : series)
      if (key.first == m.name) out << key.first << "{" << key.second << "} " << value << "\n";
  }
  Status st = WriteAtomically(path, out.str());
  ::flock(lock_fd, LOCK_UN);
  ::close(lock_fd);
  return st;
}

}  // namespace dredge
