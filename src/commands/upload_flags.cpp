#include "commands/upload_flags.h"

#include "common/time_util.h"
#include "ops/upload_cleanup.h"

namespace dredge {

void AddAbortIncompleteFlag(CLI::App& cmd, std::string* value) {
  cmd.add_option("--abort-incomplete-after", *value,
                 "Abort incomplete multipart uploads under the destination (left by killed "
                 "runs, billed until aborted) that no live run owns and that are older than "
                 "this (e.g. 90s, 45m, 24h, 7d; 0s = any age). Default: the destination's "
                 "abort_incomplete_after, else 24h")
      ->type_name("DURATION")
      ->check([](const std::string& v) -> std::string {
        auto d = ParseDuration(v);
        return d.ok() ? "" : d.status().message();
      });
}

std::chrono::seconds AbortIncompleteAfter(const std::string& flag, const DestinationConfig& dest) {
  if (!flag.empty()) {
    auto d = ParseDuration(flag);
    if (d.ok()) return std::chrono::seconds(*d);
  }
  if (dest.abort_incomplete_after_ms >= 0)
    return std::chrono::seconds(dest.abort_incomplete_after_ms / 1000);
  return kDefaultAbortIncompleteAfter;
}

}  // namespace dredge
