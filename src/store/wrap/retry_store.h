// RetryStore: wraps any ObjectStore and retries calls that fail with ErrorKind::kRetryable, so
// drivers stay plain. What a caller may rely on:
//  - Only Retryable errors are retried; every other result (ok, NotFound, Permanent, Corrupt,
//    PreconditionFailed, …) is returned from the first attempt that produced it.
//  - At most policy.max_attempts attempts per call; then the last error is returned, same kind,
//    with "gave up after N attempts" in front of its message.
//  - Waits use exponential backoff with full jitter: before attempt n+1 a uniformly random
//    delay in [0, min(cap, base·2^(n-1))]; when the error carries retry_after_ms (Retry-After,
//    SlowDown), the delay is at least that (bounded by policy.max_retry_after).
//  - Each retry is logged at info level: "retry 2/8 for PUT <key> after 350 ms: <error>", and
//    counted (stats()) for --json summaries.
//  - Put is replayed from its ByteSource (positional, so nothing is buffered). An if_absent put
//    whose earlier attempt may have landed (its reply was lost) and that then meets
//    PreconditionFailed succeeds if the stored object is byte-identical (same MD5) to ours.
//  - Get: the sink never sees a byte twice. A get that fails after delivering some bytes
//    resumes with a range from the first undelivered byte. It does so only when the object
//    provably predates the get (its last-modified is older than the get's start minus
//    policy.resume_clock_margin) and its ETag stays the same across every resume and at the
//    end; otherwise it fails Retryable ("changed while being read") instead of splicing two
//    versions. Errors returned by the caller's sink are returned as they are, never retried.
//  - List resumes after the last key already delivered; fn never sees a key twice, and an
//    error returned by fn stops the listing without retry.
//  - Object versions (V1-V6, store/object_versions.h) are retried like Get/Stat: every call is
//    idempotent. A version never changes, so a GetVersion that fails after delivering some bytes
//    resumes with a range from the first undelivered byte, without the checks Get needs. A
//    ListVersions that fails midway is listed again; fn never sees a version twice.
//  - Time, randomness and sleeping are injected (RetryEnv) so tests are instant and repeatable.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "store/wrap/store_wrapper.h"

namespace dredge {

struct RetryPolicy {
  int max_attempts = 8;  // total attempts per call, the first included
  std::chrono::milliseconds base{100};
  std::chrono::milliseconds cap{20000};
  std::chrono::milliseconds max_retry_after{300000};  // longest server-requested wait honoured
  // How much older than the get's start an object's last-modified must be before a broken get
  // may be resumed (covers the store's timestamp granularity and clock skew).
  std::chrono::milliseconds resume_clock_margin{2000};
};

struct RetryEnv {
  std::function<void(std::chrono::milliseconds)> sleep;  // default: this_thread::sleep_for
  std::function<int64_t()> now_ns;                       // default: wall clock, ns since epoch
  uint64_t seed = 0;                                     // 0: seeded from std::random_device
};

struct RetryStats {
  uint64_t retries = 0;  // attempts after the first, over all calls
  uint64_t gave_up = 0;  // calls that ended Retryable after max_attempts
  uint64_t resumed_gets = 0;
};

class RetryStore final : public StoreWrapper {
 public:
  RetryStore(std::shared_ptr<ObjectStore> inner, RetryPolicy policy = {}, RetryEnv env = {});

  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override;
  Status Get(std::string_view key, ByteSink& sink,
             std::optional<ByteRange> range = std::nullopt) override;
  Result<ObjectInfo> Stat(std::string_view key) override;
  Status List(std::string_view prefix, const ListFn& fn) override;
  Status Remove(std::string_view key) override;
  Status Copy(std::string_view src_key, std::string_view dst_key,
              const std::optional<Metadata>& metadata = std::nullopt) override;
  // D2's Sync is forwarded once by StoreWrapper, not retried: a failed sync (EIO) does not heal
  // by trying again. U1-U2 retried; a listing that fails midway is listed again, fn never sees
  // an upload twice.
  Status ListIncompleteUploads(std::string_view prefix, const IncompleteUploadFn& fn) override;
  Status AbortIncompleteUpload(const IncompleteUpload& upload) override;
  Result<Versioning> VersioningState() override;
  Status GetVersion(std::string_view key, std::string_view version_id, ByteSink& sink,
                    std::optional<ByteRange> range) override;
  Result<ObjectInfo> StatVersion(std::string_view key, std::string_view version_id) override;
  Status ListVersions(std::string_view prefix, const VersionListFn& fn) override;
  Status RemoveVersion(std::string_view key, std::string_view version_id) override;
  Status ExtendRetention(std::string_view key, std::string_view version_id,
                         const Retention& retention) override;

  RetryStats stats() const;
  uint64_t retries() const { return retries_.load(); }
  const RetryPolicy& policy() const { return policy_; }

  // The wait before attempt `attempt + 1` after `error` (exposed for tests of the bounds).
  std::chrono::milliseconds BackoffFor(int attempt, const Status& error);

 private:
  // Runs attempt(n) for n = 1.. until it is not Retryable or attempts run out; `stop` is set by
  // an attempt whose error must not be retried (a caller's sink or callback failed).
  template <typename Attempt>
  Status Loop(const char* op, std::string_view key, Attempt&& attempt);
  Status GetAttemptLoop(std::string_view key, ByteSink& sink, std::optional<ByteRange> range);

  RetryPolicy policy_;
  RetryEnv env_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
  std::atomic<uint64_t> retries_{0}, gave_up_{0}, resumed_gets_{0};
};

}  // namespace dredge
