#include "commands/point_lock_report.h"

#include "common/log.h"
#include "common/time_util.h"
#include "ops/status_report.h"
#include "store/object_versions.h"

namespace dredge {
namespace {

// The warning for one point, or "".
std::string Warning(const PointLock& p, int64_t now_s, int64_t interval_s) {
  if (p.point.empty()) return "";
  if (p.unlocked)
    return "the newest " + p.tier + " restore point " + p.point +
           " has objects without an Object Lock retention: anyone with the backup's credentials "
           "can delete them (back up with object_lock; docs/object-lock.md)";
  if (interval_s >= 0 && p.earliest < now_s + interval_s)
    return "the lock of the newest " + p.tier + " restore point " + p.point + " ends " +
           FormatIsoUtc(p.earliest) + ", within the backup interval (" + FormatAge(interval_s) +
           "): unless a backup runs before then, nothing locked remains; run backups more "
           "often or raise object_lock.retain";
  return "";
}

}  // namespace

DestLock GatherDestLock(ObjectStore& store, const ObjectLockSettings& configured,
                        const std::vector<std::string>& tiers, int64_t now_s, int64_t interval_s) {
  DestLock d;
  d.configured = configured;
  auto versioning = VersioningOf(store);
  d.asked = configured.enabled() || (versioning.ok() && *versioning != Versioning::kNone);
  if (!d.asked) return d;
  for (const auto& tier : tiers) {
    auto p = tier == "db" ? NewestDbPointLock(store, now_s) : NewestFilesPointLock(store, now_s);
    if (!p.ok()) {
      d.warnings.push_back("cannot tell how long the newest " + tier +
                           " restore point stays locked: " + p.status().message());
      continue;
    }
    if (std::string w = Warning(*p, now_s, interval_s); !w.empty()) d.warnings.push_back(w);
    d.points.push_back(std::move(*p));
  }
  return d;
}

std::string PointLockText(const PointLock& p) {
  if (p.point.empty()) return "no restore point";
  std::string asked =
      std::to_string(p.asked) + " of " + std::to_string(p.objects) + " objects asked";
  if (p.unlocked) return p.point + " NOT locked (" + asked + ")";
  return p.point + " locked until " + FormatIsoUtc(p.earliest) + " (" + p.mode + "; " + asked + ")";
}

nlohmann::ordered_json DestLockJson(const DestLock& d) {
  if (!d.asked) return nullptr;
  nlohmann::ordered_json points = nlohmann::ordered_json::array();
  for (const auto& p : d.points)
    points.push_back(
        {{"tier", p.tier},
         {"point",
          p.point.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(p.point)},
         {"mode", p.mode},
         {"earliest_retain_until", p.earliest ? nlohmann::ordered_json(FormatIsoUtc(p.earliest))
                                              : nlohmann::ordered_json(nullptr)},
         {"unlocked", p.unlocked},
         {"objects", p.objects},
         {"asked", p.asked}});
  nlohmann::ordered_json configured = nullptr;
  if (d.configured.enabled())
    configured = {{"mode", d.configured.mode}, {"retain", d.configured.retain}};
  return {{"configured", configured}, {"points", points}, {"warnings", d.warnings}};
}

}  // namespace dredge
