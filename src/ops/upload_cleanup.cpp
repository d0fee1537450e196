#include "ops/upload_cleanup.h"

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/time_util.h"
#include "formats/ops_keys.h"
#include "ops/lease.h"

namespace dredge {
namespace {

// The holder of another run's unexpired lease on `store`, if any ("" = none).
std::string LiveOtherHolder(ObjectStore& store, const RunIdentity& me, int64_t now_ns) {
  for (const char* tier : {"files", "db"}) {
    const std::string key = ops_keys::LeaseKey(tier);
    auto bytes = GetString(store, key);
    if (bytes.status().Is(ErrorKind::kNotFound)) continue;
    if (!bytes.ok()) return "an unreadable lease '" + key + "' (" + bytes.status().message() + ")";
    auto lease = DecodeLease(*bytes, key);
    if (!lease.ok()) return "an unreadable lease '" + key + "'";
    if (lease->holder.run_id != me.run_id && lease->expiry_ns >= now_ns)
      return lease->holder.Describe() + " (" + tier + " lease)";
  }
  return "";
}

// "Say so once": per store and process.
void SayUnsupportedOnce(const ObjectStore& store, const Status& why) {
  static std::mutex mu;
  static std::set<std::string> said;
  std::lock_guard lock(mu);
  if (!said.insert(store.Describe()).second) return;
  log::Info("cannot list incomplete multipart uploads on " + store.Describe() + " (" +
            why.message() +
            "); uploads left by killed runs are not aborted there: give the bucket a "
            "lifecycle rule (docs/s3.md)");
}

void Summarise(const ObjectStore& store, const UploadCleanupReport& r,
               std::chrono::seconds older_than) {
  if (r.found == 0) return;
  std::string line = "incomplete uploads under " + store.Describe() + ": found " +
                     std::to_string(r.found) + ", aborted " + std::to_string(r.aborted);
  if (r.kept_recent)
    line += ", kept " + std::to_string(r.kept_recent) + " begun less than " +
            std::to_string(older_than.count()) + "s ago (--abort-incomplete-after)";
  if (r.kept_live)
    line += ", kept " + std::to_string(r.kept_live) + " while another run holds a live lease";
  if (r.failed) line += ", " + std::to_string(r.failed) + " could not be aborted (named above)";
  log::Info(line);
}

}  // namespace

UploadCleanupReport AbortOrphanedUploads(ObjectStore& store, const RunIdentity& me,
                                         const UploadCleanupOptions& options) {
  UploadCleanupReport r;
  if (!KeepsIncompleteUploads(store)) {
    r.supported = false;
    return r;
  }
  std::vector<IncompleteUpload> uploads;
  Status listed = ListIncompleteUploads(store, "", [&](const IncompleteUpload& u) {
    uploads.push_back(u);
    return Status::Ok();
  });
  if (listed.Is(ErrorKind::kUnsupported)) {
    r.supported = false;
    SayUnsupportedOnce(store, listed);
    return r;
  }
  if (!listed.ok()) {
    log::Warn("cannot list incomplete uploads on " + store.Describe() + ": " + listed.message() +
              "; they are left for the next run");
    return r;
  }
  r.found = uploads.size();
  if (uploads.empty()) return r;
  const int64_t now = options.now_ns ? options.now_ns() : NowUnixNanos();
  const std::string live = LiveOtherHolder(store, me, now);
  if (!live.empty()) log::Info("leaving incomplete uploads alone: " + live + " may own them");
  const int64_t min_age_ns = options.older_than.count() * 1000000000LL;
  for (const auto& u : uploads) {
    if (!live.empty()) {
      ++r.kept_live;
    } else if (now - u.initiated_ns < min_age_ns) {
      ++r.kept_recent;
    } else if (Status st = AbortIncompleteUpload(store, u); st.ok()) {
      ++r.aborted;
      log::Debug("aborted the incomplete upload of '" + u.key + "' begun " +
                 FormatIsoUtc(u.initiated_ns / 1000000000));
    } else {
      ++r.failed;
      log::Warn("cannot abort the incomplete upload of '" + u.key + "' on " + store.Describe() +
                ": " + st.message());
    }
  }
  Summarise(store, r, options.older_than);
  return r;
}

}  // namespace dredge
