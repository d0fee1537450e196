#include "common/log.h"
#include "common/log_terminal.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <vector>

#include <nlohmann/json.hpp>

namespace dredge::log {
namespace {

struct State {
  std::mutex mu;
  std::vector<std::string> secrets;
  Level stderr_level = Level::kInfo;
  Format format = Format::kText;
  FILE* file = nullptr;
  std::string* capture = nullptr;
  std::string status_line;  // shown on stderr's current line; empty = none
};

State& S() {
  static State* s = new State();  // never destroyed: logging may run during static teardown
  return *s;
}

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::string ScrubLocked(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  for (const auto& s : secrets) {
    size_t pos = 0;
    while ((pos = out.find(s, pos)) != std::string::npos) {
      out.replace(pos, s.size(), "***");
      pos += 3;
    }
  }
  return out;
}

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count()));
  return buf;
}

}  // namespace

void RegisterSecret(std::string_view secret) {
  if (secret.size() < 4) return;
  std::lock_guard lock(S().mu);
  for (const auto& s : S().secrets)
    if (s == secret) return;
  S().secrets.emplace_back(secret);
}

std::string Scrub(std::string_view text) {
  std::lock_guard lock(S().mu);
  return ScrubLocked(text, S().secrets);
}

void SetStderrLevel(Level level) {
  std::lock_guard lock(S().mu);
  S().stderr_level = level;
}

void SetFormat(Format format) {
  std::lock_guard lock(S().mu);
  S().format = format;
}

bool OpenFile(const std::string& path) {
  std::lock_guard lock(S().mu);
  if (S().file) std::fclose(S().file);
  S().file = nullptr;
  if (path.empty()) return true;
  S().file = std::fopen(path.c_str(), "a");
  return S().file != nullptr;
}

void CloseFile() {
  (void)OpenFile("");
}

void Write(Level level, std::string_view message) {
  std::lock_guard lock(S().mu);
  std::string clean = ScrubLocked(message, S().secrets);
  std::string line;
  if (S().format == Format::kJson) {
    nlohmann::json j = {{"ts", Timestamp()}, {"level", LevelName(level)}, {"msg", clean}};
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = Timestamp() + " " + LevelName(level) + " " + clean;
  }
  if (level >= S().stderr_level) {
    std::string out = (S().format == Format::kJson ? line : clean);
    if (S().format == Format::kText && level >= Level::kWarn)
      out = std::string(LevelName(level)) + ": " + clean;
    if (!S().status_line.empty()) std::fputs("\r\033[K", stderr);
    std::fprintf(stderr, "%s\n", out.c_str());
    if (!S().status_line.empty()) std::fputs(S().status_line.c_str(), stderr);
    std::fflush(stderr);
  }
  if (S().file) {
    std::fprintf(S().file, "%s\n", line.c_str());
    std::fflush(S().file);
  }
  if (S().capture) *S().capture += line + "\n";
}

void SetStatusLine(std::string_view line) {
  std::lock_guard lock(S().mu);
  S().status_line = ScrubLocked(line, S().secrets);
  std::fprintf(stderr, "\r\033[K%s", S().status_line.c_str());
  std::fflush(stderr);
}

void EndStatusLine(std::string_view final_line) {
  std::lock_guard lock(S().mu);
  if (S().status_line.empty() && final_line.empty()) return;
  std::fputs("\r\033[K", stderr);
  if (!final_line.empty())
    std::fprintf(stderr, "%s\n", ScrubLocked(final_line, S().secrets).c_str());
  S().status_line.clear();
  std::fflush(stderr);
}

void CaptureForTest(std::string* capture) {
  std::lock_guard lock(S().mu);
  S().capture = capture;
}

}  // namespace dredge::log
