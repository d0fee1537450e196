#include "store/wrap/limiter.h"

#include <algorithm>
#include <thread>

namespace dredge {

TokenBucket::TokenBucket(double rate_per_s, double burst, double initial)
    : rate_(rate_per_s), burst_(burst), tokens_(initial), last_(std::chrono::steady_clock::now()) {}

void TokenBucket::Take(double n) {
  if (rate_ <= 0 || n <= 0) return;
  double wait_s;
  {
    std::lock_guard lock(mu_);
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    // Reserve now, pay by sleeping: later callers queue behind this debt.
    tokens_ -= n;
    wait_s = tokens_ < 0 ? -tokens_ / rate_ : 0;
  }
  if (wait_s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(wait_s));
}

Limiter::Limiter(uint64_t bytes_per_s, double requests_per_s)
    : bytes_(static_cast<double>(bytes_per_s), static_cast<double>(bytes_per_s) / 20, 0),
      requests_(requests_per_s, 1, 1) {}

}  // namespace dredge
