#include "store/aws/refreshing_provider.h"

#include <algorithm>

#include "common/log.h"

namespace dredge::aws {

RefreshingProvider::RefreshingProvider(ProviderPtr source, std::function<int64_t()> now_ms)
    : source_(std::move(source)), now_ms_(std::move(now_ms)) {}

int RefreshingProvider::fetches() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

Status RefreshingProvider::Refresh(std::unique_lock<std::mutex>& lock) {
  refreshing_ = true;
  ++fetches_;
  const int64_t asked_at = now_ms_();
  lock.unlock();
  Result<AwsCredentials> got = source_->Get();
  lock.lock();
  refreshing_ = false;
  done_.notify_all();
  if (!got.ok()) return got.status();
  Cached c{*got, 0, 0};
  if (got->expires_ms == 0) {
    c.refresh_at_ms = c.usable_until_ms = INT64_MAX;
  } else {
    const int64_t lifetime = std::max<int64_t>(0, got->expires_ms - asked_at);
    c.refresh_at_ms = got->expires_ms - std::min<int64_t>(300000, lifetime / 2);
    c.usable_until_ms = got->expires_ms - std::min<int64_t>(30000, lifetime / 5);
  }
  cached_ = std::move(c);
  next_attempt_ms_ = 0;
  return Status::Ok();
}

Result<AwsCredentials> RefreshingProvider::Get() {
  std::unique_lock lock(mu_);
  for (;;) {
    const int64_t now = now_ms_();
    const bool usable = cached_ && now < cached_->usable_until_ms;
    if (usable && now < cached_->refresh_at_ms) return cached_->creds;
    if (usable) {
      // Refresh ahead: one caller does it, the others sign with what is still valid.
      if (refreshing_ || now < next_attempt_ms_) return cached_->creds;
      Status s = Refresh(lock);
      if (!s.ok()) {
        const int64_t left = cached_->usable_until_ms - now_ms_();
        next_attempt_ms_ = now_ms_() + std::max<int64_t>(1000, left / 4);
        log::Warn("could not refresh the AWS credentials from " + source_->Describe() +
                  " (the current ones stay valid for " +
                  std::to_string(std::max<int64_t>(0, left) / 1000) +
                  " s more; trying again): " + s.message());
      }
      return cached_->creds;
    }
    if (refreshing_) {
      done_.wait(lock, [&] { return !refreshing_; });
      continue;  // look again: the refresh may have succeeded or failed
    }
    Status s = Refresh(lock);
    if (!s.ok()) return s;
    if (now_ms_() < cached_->usable_until_ms) return cached_->creds;
    return Status::Permanent("the AWS credentials from " + source_->Describe() +
                             " expire too soon to be used (at " +
                             std::to_string(cached_->creds.expires_ms / 1000) +
                             " Unix time): check this machine's clock and the source's "
                             "session duration");
  }
}

ProviderPtr WithRefresh(ProviderPtr source, std::function<int64_t()> now_ms) {
  if (std::dynamic_pointer_cast<RefreshingProvider>(source)) return source;
  return std::make_shared<RefreshingProvider>(std::move(source), std::move(now_ms));
}

}  // namespace dredge::aws
