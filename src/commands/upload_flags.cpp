#include "commands/upload_flags.h"

#include "common/time_util.h"
#include "config/option_table.h"
#include "ops/upload_cleanup.h"

namespace dredge {

void AddAbortIncompleteFlag(CLI::App& cmd, std::string* value) {
  const DestinationKeySpec& row = DestinationKey("abort_incomplete_after");
  cmd.add_option(row.flag, *value, DestinationFlagHelp(row))
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
