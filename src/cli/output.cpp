#include "cli/output.h"

#include <cstdarg>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "common/log.h"

namespace dredge {
namespace {

void WriteLine(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace

void PrintJson(const nlohmann::json& j) {
  WriteLine(log::Scrub(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
}

void PrintJsonOrdered(const nlohmann::ordered_json& j) {
  WriteLine(log::Scrub(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
}

Status FailJson(bool json, Status st, std::string_view command) {
  if (!json) return st;
  nlohmann::json j;
  if (!command.empty()) j["command"] = std::string(command);
  j["ok"] = false;
  j["error"] = st.message();
  PrintJson(j);
  return st;
}

void PrintText(std::string_view line) {
  WriteLine(log::Scrub(std::string(line)));
}

void PrintTextF(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  std::string text(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(text.data(), text.size() + 1, format, args);
  va_end(args);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  PrintText(text);
}

}  // namespace dredge
