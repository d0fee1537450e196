#include "ops/run_identity.h"

#include <unistd.h>

#include <climits>
#include <mutex>
#include <random>

#include "common/time_util.h"

namespace dredge {

std::string RunIdentity::Describe() const {
  return "host " + host + ", pid " + std::to_string(pid) + ", started " +
         FormatIsoUtc(start_ns / 1000000000);
}

std::string RandomHex(size_t n) {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}() ^ static_cast<uint64_t>(NowUnixNanos()) ^
                             (static_cast<uint64_t>(::getpid()) << 32)};
  static const char* kHex = "0123456789abcdef";
  static pid_t seeded_for = ::getpid();
  std::lock_guard lock(mu);
  if (seeded_for != ::getpid()) {  // a forked child must not repeat its parent's ids
    seeded_for = ::getpid();
    rng.seed(std::random_device{}() ^ static_cast<uint64_t>(NowUnixNanos()));
  }
  std::string out(n, '0');
  for (auto& c : out) c = kHex[rng() & 15];
  return out;
}

std::string HostName() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "unknown-host";
  return buf;
}

RunIdentity NewRunIdentity() {
  RunIdentity id;
  id.host = HostName();
  id.pid = ::getpid();
  id.start_ns = NowUnixNanos();
  id.run_id = RandomHex(16);
  return id;
}

}  // namespace dredge
