// [hooks] in dredge.toml (read through config/option_table.cpp): shell commands dredge runs after a
// backup of a tier to a destination (on_success / on_failure) and when `dredge status --max-age`
// finds a tier stale (on_stale). How they run (environment, timeout, output) is ops/hooks.h;
// docs/operations.md has examples.
//
//   [hooks]
//   on_success = "curl -fsS -m 10 https://hc.example/ping/UUID"
//   on_failure = "mail -s \"dredge $DREDGE_TIER failed\" ops@example.org < \"$DREDGE_SUMMARY\""
//   on_stale   = "..."
//   timeout    = "60s"      # then the hook's process group is killed
#pragma once

#include <cstdint>
#include <string>

namespace dredge {

inline constexpr int64_t kDefaultHookTimeoutMs = 60000;

struct HooksConfig {
  std::string on_success;  // empty = no hook
  std::string on_failure;
  std::string on_stale;
  int64_t timeout_ms = kDefaultHookTimeoutMs;  // > 0
};

}  // namespace dredge
