// The one output path of every command (#16 step 5). Commands never write to stdout
// themselves; they build their result and hand it here, so that JSON is always valid whatever
// bytes a path or a damaged record carries, and human output is written one way.
//  - PrintJson (PrintJsonOrdered for a document whose keys keep their order): one JSON
//    document on one line on stdout, flushed. Strings that are not valid
//    UTF-8 (a file name in Latin-1, a corrupt record quoted in a message) have each invalid byte
//    replaced by U+FFFD; it never throws.
//  - FailJson: the error form of a command's --json result: when `json` is set, prints
//    {"ok": false, "error": <message>} (plus "command" when given) with PrintJson. Returns the
//    status unchanged so a command writes `return FailJson(f.json, st);`. The message goes to
//    stderr through the log as for every failure; this is the machine-readable copy.
//  - PrintText / PrintTextF: human output: one line (a newline is added) on stdout, with
//    registered secrets scrubbed like every log line (common/log.h).
// Everything here is safe to call from one thread at a time (commands print from their main
// thread).
#pragma once

#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace dredge {

void PrintJson(const nlohmann::json& j);
void PrintJsonOrdered(const nlohmann::ordered_json& j);  // keys in insertion order
Status FailJson(bool json, Status st, std::string_view command = {});
void PrintText(std::string_view line);
void PrintTextF(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace dredge
