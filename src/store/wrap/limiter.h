// Limiter: the token buckets behind --bwlimit and --tpslimit (the store wrapper that spends them
// is store/wrap/limit_store.h; ops/limits.h builds one from the resolved config).
//
// One per process, shared by every store wrapper, so --bwlimit is a cap on the sum over all
// workers, all destinations and both directions, and --tpslimit on the sum of requests. Both are
// token buckets that start empty (bytes) or with one request (requests) and hold at most 50 ms of
// bytes / one request: over any interval starting at construction, at most rate × interval (+ one
// request) passes, so a transfer of N bytes under a limit R takes at least N/R seconds. Waiting
// happens in the calling thread; many threads waiting share the rate fairly in the order they
// asked.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace dredge {

class TokenBucket {
 public:
  // rate_per_s 0 = unlimited (Take returns at once).
  TokenBucket(double rate_per_s, double burst, double initial);
  // Takes n tokens, sleeping until the bucket has paid for them. n may exceed the burst.
  void Take(double n);
  bool unlimited() const { return rate_ <= 0; }
  double rate() const { return rate_; }

 private:
  std::mutex mu_;
  double rate_;
  double burst_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
};

class Limiter {
 public:
  // bytes_per_s / requests_per_s: 0 = unlimited.
  Limiter(uint64_t bytes_per_s, double requests_per_s);
  void TakeBytes(uint64_t n) { bytes_.Take(static_cast<double>(n)); }
  void TakeRequest() { requests_.Take(1); }
  bool unlimited() const { return bytes_.unlimited() && requests_.unlimited(); }
  bool bytes_unlimited() const { return bytes_.unlimited(); }

 private:
  TokenBucket bytes_;
  TokenBucket requests_;
};

}  // namespace dredge
