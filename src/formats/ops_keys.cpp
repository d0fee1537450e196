#include "formats/ops_keys.h"

#include "common/time_util.h"

namespace dredge::ops_keys {

std::string RunRecordPrefix(std::string_view tier) {
  return std::string(kRunsPrefix) + std::string(tier) + "/";
}

std::string RunRecordKey(std::string_view tier, int64_t start_unix_seconds,
                         std::string_view run_id) {
  return RunRecordPrefix(tier) + "run_" + FormatCompactUtc(start_unix_seconds) + "_" +
         std::string(run_id) + ".json";
}

std::string CheckRecordPrefix(std::string_view tier, std::string_view kind) {
  return ".dredge/checks/" + std::string(tier) + "/" + std::string(kind) + "_";
}

std::string CheckRecordKey(std::string_view tier, std::string_view kind, int64_t start_unix_seconds,
                           std::string_view run_id) {
  return CheckRecordPrefix(tier, kind) + FormatCompactUtc(start_unix_seconds) + "_" +
         std::string(run_id) + ".json";
}

bool IsRunRecordKey(std::string_view key) {
  return key.starts_with(kRunsPrefix) && key.size() > 5 && key.ends_with(".json");
}

std::optional<std::string> RunRecordTier(std::string_view key) {
  if (!key.starts_with(kRunsPrefix)) return std::nullopt;
  std::string_view rest = key.substr(kRunsPrefix.size());
  std::string_view tier = rest.substr(0, rest.find('/'));
  if (tier.empty()) return std::nullopt;
  return std::string(tier);
}

std::string LeaseKey(std::string_view tier) {
  return ".dredge/locks/" + std::string(tier) + ".lease";
}

std::string ProbeKey(std::string_view host, std::string_view random_hex) {
  return std::string(kProbePrefix) + "probe-" + std::string(host) + "-" + std::string(random_hex);
}

std::string PruneProbeKey(std::string_view random_hex) {
  return "dredge-check-prune-probe-" + std::string(random_hex);
}

}  // namespace dredge::ops_keys
