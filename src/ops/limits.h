// Being gentle on production: bandwidth and request-rate limits, and lower CPU/I/O priority.
//
// Limiter: one per process, shared by every store wrapper (store/wrap/limit_store.h), so
// --bwlimit is a cap on the sum over all workers, all destinations and both directions, and
// --tpslimit on the sum of requests. Both are token buckets that start empty (bytes) or with one
// request (requests) and hold at most 50 ms of bytes / one request: over any interval starting at
// construction, at most rate × interval (+ one request) passes, so a transfer of N bytes under a
// limit R takes at least N/R seconds. Waiting happens in the calling thread; many threads waiting
// share the rate fairly in the order they asked.
//
// Nice: ApplyNice lowers the calling thread's CPU priority (nice 10) and I/O priority (best-effort
// class, level 7, the lowest; not the idle class, under which a busy production disk could starve
// the backup indefinitely). Linux applies both per thread and new threads inherit them, so call
// it in main before any worker thread or connection pool exists. By default it is on when stdout
// is not a terminal (cron, systemd) and off in an interactive shell; --nice / --no-nice and
// [limits] nice decide otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>

#include "common/status.h"
#include "config/dredge_config.h"
#include "config/env_overrides.h"

namespace CLI {
class App;
}

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

// From the resolved config; nullptr when neither limit is set.
std::shared_ptr<Limiter> MakeLimiter(const LimitsConfig& limits);

// Registers --bwlimit RATE, --tpslimit N and --nice/--no-nice on a command, writing into `o`.
// Bad values fail parsing (exit 2) with a message naming the flag.
void AddLimitFlags(CLI::App& cmd, ConfigOverrides* o);

bool ShouldNice(LimitsConfig::Nice setting, bool stdout_is_tty);
// Unsupported when the kernel refuses (the run continues; the caller logs it).
Status ApplyNice();

}  // namespace dredge
