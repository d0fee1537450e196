// Process-wide logging. Thread-safe. Every line passes through the secret scrubber: any string
// registered with RegisterSecret (AWS secret key, session token, database password, encryption
// key) is replaced by "***" before it reaches stderr, a log file or a JSON log. Code must still
// never format a secret into a message; this is the second line of defence.
#pragma once

#include <string>
#include <string_view>

namespace dredge::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kText, kJson };

// Secrets shorter than 4 characters are ignored (they would redact ordinary words).
void RegisterSecret(std::string_view secret);
// Returns `text` with every registered secret replaced by "***".
std::string Scrub(std::string_view text);

// Lines below this level are dropped on stderr. The log file gets kDebug and above when
// verbose, otherwise kInfo and above.
void SetStderrLevel(Level level);
void SetFormat(Format format);
// Opens (appends) a log file; empty path closes it. Returns false when it cannot be opened.
bool OpenFile(const std::string& path);
void CloseFile();

void Write(Level level, std::string_view message);
inline void Debug(std::string_view m) {
  Write(Level::kDebug, m);
}
inline void Info(std::string_view m) {
  Write(Level::kInfo, m);
}
inline void Warn(std::string_view m) {
  Write(Level::kWarn, m);
}
inline void Error(std::string_view m) {
  Write(Level::kError, m);
}

// Test hook: every line written after this call is also appended to *capture (scrubbed).
// Pass nullptr to stop capturing.
void CaptureForTest(std::string* capture);

}  // namespace dredge::log
