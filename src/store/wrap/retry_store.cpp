#include "store/wrap/retry_store.h"

#include <algorithm>
#include <set>
#include <thread>

#include "common/log.h"
#include "common/time_util.h"

namespace dredge {
namespace {

Status Changed(std::string_view key, const std::string& why) {
  return Status::Retryable("'" + std::string(key) + "' changed while it was being read (" + why +
                           "); the bytes already delivered belong to another version, so get "
                           "it again from the start");
}

// Passes bytes on and remembers how many the caller's sink accepted, and whether it refused.
class CountingSink final : public ByteSink {
 public:
  explicit CountingSink(ByteSink& out) : out_(out) {}
  Status Write(std::string_view data) override {
    Status s = out_.Write(data);
    if (!s.ok()) {
      refused_ = true;
      return s;
    }
    delivered_ += data.size();
    return Status::Ok();
  }
  uint64_t delivered() const { return delivered_; }
  bool refused() const { return refused_; }

 private:
  ByteSink& out_;
  uint64_t delivered_ = 0;
  bool refused_ = false;
};

}  // namespace

RetryStore::RetryStore(std::shared_ptr<ObjectStore> inner, RetryPolicy policy, RetryEnv env)
    : StoreWrapper(std::move(inner)), policy_(policy), env_(std::move(env)) {
  if (policy_.max_attempts < 1) policy_.max_attempts = 1;
  if (!env_.sleep) env_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!env_.now_ns) env_.now_ns = [] { return NowUnixNanos(); };
  uint64_t seed = env_.seed;
  if (seed == 0) seed = (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  rng_.seed(seed);
}

RetryStats RetryStore::stats() const {
  return RetryStats{retries_.load(), gave_up_.load(), resumed_gets_.load()};
}

std::chrono::milliseconds RetryStore::BackoffFor(int attempt, const Status& error) {
  int shift = std::clamp(attempt - 1, 0, 30);
  int64_t upper = std::min<int64_t>(policy_.cap.count(), policy_.base.count() << shift);
  upper = std::max<int64_t>(upper, 0);
  int64_t delay;
  {
    std::lock_guard lock(rng_mu_);
    delay = std::uniform_int_distribution<int64_t>(0, upper)(rng_);
  }
  if (error.retry_after_ms() >= 0)
    delay = std::max<int64_t>(
        delay, std::min<int64_t>(error.retry_after_ms(), policy_.max_retry_after.count()));
  return std::chrono::milliseconds(delay);
}

template <typename Attempt>
Status RetryStore::Loop(const char* op, std::string_view key, Attempt&& attempt) {
  for (int n = 1;; ++n) {
    bool stop = false;
    Status s = attempt(n, &stop);
    if (s.ok() || stop || !s.Is(ErrorKind::kRetryable)) return s;
    if (n >= policy_.max_attempts) {
      ++gave_up_;
      return s.WithContext("gave up after " + std::to_string(n) + " attempts");
    }
    auto delay = BackoffFor(n, s);
    ++retries_;
    log::Info("retry " + std::to_string(n + 1) + "/" + std::to_string(policy_.max_attempts) +
              " for " + op + " " + std::string(key) + " after " + std::to_string(delay.count()) +
              " ms: " + s.ToString());
    env_.sleep(delay);
  }
}

Result<PutResult> RetryStore::Put(std::string_view key, const ByteSource& src,
                                  const PutOptions& opts) {
  std::optional<PutResult> out;
  bool may_have_landed = false;
  Status s = Loop("PUT", key, [&](int, bool*) -> Status {
    auto r = inner()->Put(key, src, opts);
    if (r.ok()) {
      out = *r;
      return Status::Ok();
    }
    if (opts.if_absent && may_have_landed && r.status().Is(ErrorKind::kPreconditionFailed)) {
      // An earlier attempt may have written the object and lost only its reply: if what is
      // stored is our bytes, the put did succeed.
      auto info = inner()->Stat(key);
      std::string md5 = opts.content_md5_hex;
      if (md5.empty()) {
        auto computed = Md5HexOfSource(src);
        if (computed.ok()) md5 = *computed;
      }
      if (info.ok() && !md5.empty() && info->size == src.size()) {
        bool multipart = info->etag.find('-') != std::string::npos;
        auto it = info->metadata.find("md5");
        if ((!multipart && info->etag == md5) ||
            (multipart && it != info->metadata.end() && it->second == md5)) {
          out = PutResult{info->etag, info->version_id};
          return Status::Ok();
        }
      }
    }
    if (r.status().Is(ErrorKind::kRetryable)) may_have_landed = true;
    return r.status();
  });
  if (!s.ok()) return s;
  return *out;
}

Status RetryStore::Get(std::string_view key, ByteSink& sink, std::optional<ByteRange> range) {
  CountingSink counted(sink);
  const int64_t start_ns = env_.now_ns();
  const int64_t margin_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(policy_.resume_clock_margin).count();
  const uint64_t first = range ? range->first : 0;
  const uint64_t last = range ? range->last : UINT64_MAX;
  std::string etag;  // the version being resumed, learnt at the first resume

  Status s = Loop("GET", key, [&](int, bool* stop) -> Status {
    if (counted.delivered() == 0) {
      Status g = inner()->Get(key, counted, range);
      if (counted.refused()) *stop = true;
      return g;
    }
    auto info = inner()->Stat(key);
    if (!info.ok()) {
      if (info.status().Is(ErrorKind::kRetryable)) return info.status();
      *stop = true;
      return Changed(key, "it is gone: " + info.status().message());
    }
    if (etag.empty()) {
      // The get returned no ETag, so the only proof that the delivered prefix belongs to this
      // version is that the version is older than the get.
      if (info->mtime_ns >= start_ns - margin_ns) {
        *stop = true;
        return Changed(key, "it was written after the get began");
      }
      etag = info->etag;
    } else if (info->etag != etag) {
      *stop = true;
      return Changed(key, "ETag " + etag + " became " + info->etag);
    }
    uint64_t next = first + counted.delivered();
    if (next > info->size) {
      *stop = true;
      return Changed(key, "it is now shorter than the bytes already read");
    }
    if (next > last || next == info->size) return Status::Ok();  // all delivered already
    resumed_gets_++;
    Status g = inner()->Get(key, counted, ByteRange{next, last});
    if (counted.refused()) *stop = true;
    return g;
  });
  if (!s.ok() || etag.empty()) return s;
  // Resumed: the version must still be the one we started on.
  auto info = Stat(key);
  if (!info.ok()) return Changed(key, "it is gone: " + info.status().message());
  if (info->etag != etag) return Changed(key, "ETag " + etag + " became " + info->etag);
  return Status::Ok();
}

Result<ObjectInfo> RetryStore::Stat(std::string_view key) {
  std::optional<ObjectInfo> out;
  Status s = Loop("STAT", key, [&](int, bool*) -> Status {
    auto r = inner()->Stat(key);
    if (!r.ok()) return r.status();
    out = std::move(r).value();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return std::move(*out);
}

Status RetryStore::List(std::string_view prefix, const ListFn& fn) {
  std::string last;
  bool any = false;
  return Loop("LIST", prefix, [&](int, bool* stop) -> Status {
    bool fn_failed = false;
    Status s = inner()->List(prefix, [&](const ObjectInfo& info) -> Status {
      if (any && info.key <= last) return Status::Ok();  // delivered before the failure
      Status st = fn(info);
      if (!st.ok()) {
        fn_failed = true;
        return st;
      }
      last = info.key;
      any = true;
      return Status::Ok();
    });
    if (fn_failed) *stop = true;
    return s;
  });
}

Status RetryStore::ListIncompleteUploads(std::string_view prefix, const IncompleteUploadFn& fn) {
  std::set<std::pair<std::string, std::string>> delivered;
  return Loop("LIST-UPLOADS", prefix, [&](int, bool* stop) -> Status {
    bool fn_failed = false;
    Status s =
        dredge::ListIncompleteUploads(*inner(), prefix, [&](const IncompleteUpload& u) -> Status {
          if (!delivered.emplace(u.key, u.upload_id).second) return Status::Ok();
          Status st = fn(u);
          fn_failed = !st.ok();
          return st;
        });
    if (fn_failed) *stop = true;
    return s;
  });
}

Status RetryStore::AbortIncompleteUpload(const IncompleteUpload& upload) {
  return Loop("ABORT-UPLOAD", upload.key,
              [&](int, bool*) { return dredge::AbortIncompleteUpload(*inner(), upload); });
}

Status RetryStore::Remove(std::string_view key) {
  return Loop("REMOVE", key, [&](int, bool*) { return inner()->Remove(key); });
}

Status RetryStore::Copy(std::string_view src_key, std::string_view dst_key,
                        const std::optional<Metadata>& metadata) {
  return Loop("COPY", dst_key,
              [&](int, bool*) { return inner()->Copy(src_key, dst_key, metadata); });
}

Result<Versioning> RetryStore::VersioningState() {
  Versioning out = Versioning::kNone;
  Status s = Loop("GET-VERSIONING", "", [&](int, bool*) -> Status {
    auto r = dredge::VersioningOf(*inner());
    if (r.ok()) out = *r;
    return r.status();
  });
  if (!s.ok()) return s;
  return out;
}

Status RetryStore::GetVersion(std::string_view key, std::string_view version_id, ByteSink& sink,
                              std::optional<ByteRange> range) {
  CountingSink counted(sink);
  const uint64_t first = range ? range->first : 0;
  const uint64_t last = range ? range->last : UINT64_MAX;
  return Loop("GET-VERSION", key, [&](int, bool* stop) -> Status {
    std::optional<ByteRange> rest = range;
    if (counted.delivered() > 0) {
      // A version is immutable: the rest of it is the rest of the same bytes.
      uint64_t next = first + counted.delivered();
      if (next > last) return Status::Ok();
      resumed_gets_++;
      rest = ByteRange{next, last};
    }
    Status g = dredge::GetVersion(*inner(), key, version_id, counted, rest);
    if (counted.refused()) *stop = true;
    // Asked to resume past the end of a version that ended exactly at the break.
    if (!g.ok() && counted.delivered() > 0 && g.Is(ErrorKind::kInvalidArgument)) {
      auto info = dredge::StatVersion(*inner(), key, version_id);
      if (info.ok() && first + counted.delivered() >= info->size) return Status::Ok();
    }
    return g;
  });
}

Result<ObjectInfo> RetryStore::StatVersion(std::string_view key, std::string_view version_id) {
  std::optional<ObjectInfo> out;
  Status s = Loop("STAT-VERSION", key, [&](int, bool*) -> Status {
    auto r = dredge::StatVersion(*inner(), key, version_id);
    if (!r.ok()) return r.status();
    out = std::move(r).value();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return std::move(*out);
}

Status RetryStore::ListVersions(std::string_view prefix, const VersionListFn& fn) {
  // Versions come ascending by key: those of keys before the last one delivered were all
  // delivered; of the last key, the ids delivered are remembered.
  std::string last_key;
  std::set<std::string> last_key_ids;
  bool any = false;
  return Loop("LIST-VERSIONS", prefix, [&](int, bool* stop) -> Status {
    bool fn_failed = false;
    Status s = dredge::ListVersions(*inner(), prefix, [&](const VersionInfo& v) -> Status {
      if (any && (v.key < last_key || (v.key == last_key && last_key_ids.count(v.version_id))))
        return Status::Ok();  // delivered before the failure
      Status st = fn(v);
      if (!st.ok()) {
        fn_failed = true;
        return st;
      }
      if (!any || v.key != last_key) last_key_ids.clear();
      last_key = v.key;
      last_key_ids.insert(v.version_id);
      any = true;
      return Status::Ok();
    });
    if (fn_failed) *stop = true;
    return s;
  });
}

Status RetryStore::RemoveVersion(std::string_view key, std::string_view version_id) {
  return Loop("REMOVE-VERSION", key,
              [&](int, bool*) { return dredge::RemoveVersion(*inner(), key, version_id); });
}

Status RetryStore::ExtendRetention(std::string_view key, std::string_view version_id,
                                   const Retention& retention) {
  return Loop("PUT-RETENTION", key, [&](int, bool*) {
    return dredge::ExtendRetention(*inner(), key, version_id, retention);
  });
}

}  // namespace dredge
