#include "ops/status_report.h"

#include <cstdio>

#include "formats/db_keys.h"
#include "formats/file_keys.h"
#include "formats/ops_keys.h"

namespace dredge {

std::string FormatAge(int64_t s) {
  if (s < 0) return "-";
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%lldm", static_cast<long long>(s / 60));
  else if (s < 86400)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  else
    std::snprintf(buf, sizeof buf, "%lldd%lldh", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  return buf;
}

Status GatherStatus(ObjectStore& store, const StatusQuery& query, DestinationStatus* out) {
  // One pass over the store for the totals and counts, and to learn which tiers have records.
  std::vector<std::string> tiers_with_runs;
  Status st = store.List("", [&](const ObjectInfo& info) {
    ++out->objects;
    out->bytes += info.size;
    if (info.key.starts_with(file_keys::kSnapshotPrefix))
      ++out->snapshots;
    else if (info.key.starts_with(dbkeys::kManifestPrefix))
      ++out->manifests;
    else if (info.key.starts_with(dbkeys::kChunkPrefix))
      ++out->chunks;
    else if (auto tier = ops_keys::RunRecordTier(info.key)) {
      if (tiers_with_runs.empty() || tiers_with_runs.back() != *tier)
        tiers_with_runs.push_back(*tier);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st.WithContext("cannot list " + store.Describe());

  auto tiers = query.tiers;
  for (const auto& t : tiers_with_runs) {
    bool known = false;
    for (const auto& [name, expected] : tiers) known = known || name == t;
    if (!known) tiers.emplace_back(t, false);
  }
  // Nothing configured and nothing ever ran here: every tier asked about is expected, so
  // monitoring an empty or wrong destination alerts instead of reporting all clear.
  bool any_expected = false;
  for (const auto& t : tiers) any_expected = any_expected || t.second;
  if (!any_expected && tiers_with_runs.empty())
    for (auto& t : tiers) t.second = true;
  for (const auto& [name, expected] : tiers) {
    TierStatus ts;
    ts.tier = name;
    ts.expected = expected;
    DREDGE_ASSIGN_OR_RETURN(ts.runs, FindLastRuns(store, name));
    if (ts.runs.last_success) ts.age_s = (query.now_ns - ts.runs.last_success->end_ns) / 1000000000;
    if (query.max_age_s >= 0 && (expected || ts.runs.total > 0))
      ts.stale = ts.age_s < 0 || ts.age_s > query.max_age_s;
    out->tiers.push_back(std::move(ts));
  }
  return Status::Ok();
}

}  // namespace dredge
