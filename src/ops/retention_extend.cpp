#include "ops/retention_extend.h"

#include <optional>
#include <vector>

#include "common/log.h"
#include "common/thread_pool.h"
#include "common/time_util.h"
#include "store/object_versions.h"

namespace dredge {
namespace {

constexpr size_t kMaxProblems = 100;
// Requests in flight at once (HEAD and PutObjectRetention are small: the round trip is the
// cost), and versions decided per batch.
constexpr size_t kRequestWorkers = 16;
constexpr size_t kBatch = 512;

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

namespace {

// What the requests for one version found and did (no caller state is touched on the workers).
struct VersionOutcome {
  bool looked_up = false, extended = false;
  uint64_t requests = 0;
  int64_t until = 0;    // the date learnt or set; 0 when none is known
  std::string problem;  // a failed request, named
};

VersionOutcome ExtendOne(ObjectStore& store, const ObjectLockPolicy& policy, int64_t now_unix,
                         int64_t new_until, const RetainedVersion& v) {
  VersionOutcome o;
  o.until = v.known_until;
  if (PlanExtension(o.until, now_unix, policy) == ExtendAction::kLookUp) {
    o.looked_up = true;
    ++o.requests;
    auto info = v.version_id.empty() ? store.Stat(v.key) : StatVersion(store, v.key, v.version_id);
    if (!info.ok()) {
      o.problem = "cannot read the retention of " + Name(v) + ": " + info.status().message();
      return o;
    }
    o.until = info->lock_retain_until;
  }
  if (o.until > 0 && PlanExtension(o.until, now_unix, policy) == ExtendAction::kNone) return o;
  ++o.requests;
  Status ext = ExtendRetention(store, v.key, v.version_id, Retention{policy.mode, new_until});
  if (!ext.ok()) {
    o.problem = "cannot extend the retention of " + Name(v) + " to " + FormatIsoUtc(new_until) +
                ": " + ext.message();
    return o;
  }
  o.extended = true;
  o.until = new_until;
  return o;
}

}  // namespace

Result<ExtendSummary> ExtendRetentions(
    ObjectStore& store, const ObjectLockPolicy& policy, int64_t now_unix,
    const std::function<Status(const RetainedVersionFn&)>& for_each,
    const std::function<Status(const RetainedVersion&, int64_t until)>& on_known) {
  ExtendSummary s;
  s.until = ExtendedUntil(now_unix, policy);
  std::optional<ThreadPool> pool;  // started by the first batch: most runs have none
  std::vector<RetainedVersion> batch;
  // The batch's requests run on the pool; the summary and on_known follow on this thread, in
  // the order for_each gave the versions.
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    if (!pool) pool.emplace(kRequestWorkers, kBatch);
    std::vector<VersionOutcome> out(batch.size());
    for (size_t i = 0; i < batch.size(); ++i)
      pool->Submit([&, i] { out[i] = ExtendOne(store, policy, now_unix, s.until, batch[i]); });
    pool->Wait();
    for (size_t i = 0; i < batch.size(); ++i) {
      const VersionOutcome& o = out[i];
      s.looked_up += o.looked_up;
      s.extended += o.extended;
      s.requests += o.requests;
      if (!o.problem.empty()) {
        ++s.failed;
        log::Warn(o.problem);
        if (s.problems.size() < kMaxProblems) s.problems.push_back(o.problem);
      }
      // A date learnt (or set) is recorded, unless it is the one the caller gave.
      if (o.until > 0 && o.until != batch[i].known_until)
        DREDGE_RETURN_IF_ERROR(on_known(batch[i], o.until));
    }
    batch.clear();
    return Status::Ok();
  };
  DREDGE_RETURN_IF_ERROR(for_each([&](const RetainedVersion& v) -> Status {
    ++s.objects;
    if (v.known_until > 0 && PlanExtension(v.known_until, now_unix, policy) == ExtendAction::kNone)
      return Status::Ok();  // not due: no request, nothing to queue
    batch.push_back(v);
    return batch.size() < kBatch ? Status::Ok() : flush();
  }));
  DREDGE_RETURN_IF_ERROR(flush());
  return s;
}

}  // namespace dredge
