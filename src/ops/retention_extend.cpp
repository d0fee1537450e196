#include "ops/retention_extend.h"

#include "common/log.h"
#include "common/time_util.h"
#include "store/object_versions.h"

namespace dredge {
namespace {

constexpr size_t kMaxProblems = 100;

std::string Name(const RetainedVersion& v) {
  return v.key + (v.version_id.empty() ? "" : " (version " + v.version_id + ")");
}

}  // namespace

int64_t ExtendedUntil(int64_t now_unix, const ObjectLockPolicy& p) {
  return now_unix + p.retain_seconds + p.retain_seconds / 2;
}

ExtendAction PlanExtension(int64_t known_until, int64_t now_unix, const ObjectLockPolicy& p) {
  if (known_until <= 0) return ExtendAction::kLookUp;
  if (known_until < now_unix + p.retain_seconds) return ExtendAction::kExtend;
  return ExtendAction::kNone;
}

Result<ExtendSummary> ExtendRetentions(
    ObjectStore& store, const ObjectLockPolicy& policy, int64_t now_unix,
    const std::function<Status(const RetainedVersionFn&)>& for_each,
    const std::function<Status(const RetainedVersion&, int64_t until)>& on_known) {
  ExtendSummary s;
  s.until = ExtendedUntil(now_unix, policy);
  auto problem = [&](const std::string& msg) {
    ++s.failed;
    log::Warn(msg);
    if (s.problems.size() < kMaxProblems) s.problems.push_back(msg);
  };
  Status st = for_each([&](const RetainedVersion& v) -> Status {
    ++s.objects;
    int64_t until = v.known_until;
    if (PlanExtension(until, now_unix, policy) == ExtendAction::kLookUp) {
      ++s.looked_up;
      ++s.requests;
      auto info =
          v.version_id.empty() ? store.Stat(v.key) : StatVersion(store, v.key, v.version_id);
      if (!info.ok()) {
        problem("cannot read the retention of " + Name(v) + ": " + info.status().message());
        return Status::Ok();
      }
      until = info->lock_retain_until;
      if (until > 0) DREDGE_RETURN_IF_ERROR(on_known(v, until));
    }
    if (until > 0 && PlanExtension(until, now_unix, policy) == ExtendAction::kNone)
      return Status::Ok();
    ++s.requests;
    Status ext = ExtendRetention(store, v.key, v.version_id, Retention{policy.mode, s.until});
    if (!ext.ok()) {
      problem("cannot extend the retention of " + Name(v) + " to " + FormatIsoUtc(s.until) + ": " +
              ext.message());
      return Status::Ok();
    }
    ++s.extended;
    return on_known(v, s.until);
  });
  if (!st.ok()) return st;
  return s;
}

}  // namespace dredge
