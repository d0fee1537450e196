// A cache around a credential source that refreshes temporary credentials before they expire,
// so a run may outlive any number of credential lifetimes.
//
// Contract (in addition to CredentialProvider's):
//  - Credentials without an expiry are fetched once and kept.
//  - With lifetime L (expiry minus the time they were fetched), a refresh is due
//    min(5 min, L/2) before the expiry; the cached credentials stay usable until
//    min(30 s, L/5) before it. Between the two, exactly one caller refreshes while every other
//    caller keeps getting the cached credentials at once: workers never all pause.
//  - Past the usable point (or with nothing cached) callers wait for the one refresh in flight
//    instead of starting their own.
//  - A failed refresh while the cached credentials are still usable is logged as a warning and
//    tried again after a pause of a quarter of the remaining usable time (at least 1 s); the
//    cached credentials are returned meanwhile. Once they are no longer usable the refresh's
//    error is returned.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>

#include "store/aws/credential_provider.h"

namespace dredge::aws {

class RefreshingProvider final : public CredentialProvider {
 public:
  RefreshingProvider(ProviderPtr source, std::function<int64_t()> now_ms);
  Result<AwsCredentials> Get() override;
  std::string Describe() const override { return source_->Describe(); }

  // How many times the source was asked (tests of refresh behaviour).
  int fetches() const;

 private:
  struct Cached {
    AwsCredentials creds;
    int64_t refresh_at_ms = 0;  // a refresh is due from here
    int64_t usable_until_ms = 0;
  };
  // Asks the source with the lock released; updates the cache. Called by one thread at a time.
  Status Refresh(std::unique_lock<std::mutex>& lock);

  ProviderPtr source_;
  std::function<int64_t()> now_ms_;
  mutable std::mutex mu_;
  std::condition_variable done_;
  std::optional<Cached> cached_;
  bool refreshing_ = false;
  int64_t next_attempt_ms_ = 0;
  int fetches_ = 0;
};

// Wraps `source` in a RefreshingProvider unless it already is one.
ProviderPtr WithRefresh(ProviderPtr source, std::function<int64_t()> now_ms);

}  // namespace dredge::aws
