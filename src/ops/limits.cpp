#include "ops/limits.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include <CLI/CLI.hpp>

#include "config/byte_size.h"

namespace dredge {
namespace {

// From linux/ioprio.h (not always installed).
constexpr int kIoprioClassShift = 13;
constexpr int kIoprioClassBe = 2;
constexpr int kIoprioWhoProcess = 1;

}  // namespace

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

std::shared_ptr<Limiter> MakeLimiter(const LimitsConfig& limits) {
  if (limits.bwlimit == 0 && limits.tpslimit <= 0) return nullptr;
  return std::make_shared<Limiter>(limits.bwlimit, limits.tpslimit);
}

void AddLimitFlags(CLI::App& cmd, ConfigOverrides* o) {
  cmd.add_option_function<std::string>(
      "--bwlimit",
      [o](const std::string& text) {
        auto r = ParseByteRate(text, "--bwlimit");
        if (!r.ok()) throw CLI::ValidationError("--bwlimit", r.status().message());
        o->bwlimit = *r;
      },
      "Bandwidth cap in bytes/s for all workers and both directions, e.g. 20M or 512k "
      "(binary units; 0 = none)");
  cmd.add_option_function<double>(
      "--tpslimit",
      [o](double v) {
        if (!(v >= 0)) throw CLI::ValidationError("--tpslimit", "must be 0 (none) or more");
        o->tpslimit = v;
      },
      "Store requests per second (0 = none)");
  cmd.add_flag_function(
      "--nice,!--no-nice", [o](int64_t count) { o->nice = count > 0; },
      "Lower CPU and I/O priority (default: on when stdout is not a terminal)");
}

bool ShouldNice(LimitsConfig::Nice setting, bool stdout_is_tty) {
  switch (setting) {
    case LimitsConfig::Nice::kOn:
      return true;
    case LimitsConfig::Nice::kOff:
      return false;
    case LimitsConfig::Nice::kAuto:
      return !stdout_is_tty;
  }
  return false;
}

Status ApplyNice() {
  std::string problems;
  errno = 0;
  int current = ::getpriority(PRIO_PROCESS, 0);
  if (errno == 0 && current < 10 && ::setpriority(PRIO_PROCESS, 0, 10) != 0)
    problems += std::string("setpriority: ") + std::strerror(errno);
  int prio = (kIoprioClassBe << kIoprioClassShift) | 7;
  if (::syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, prio) != 0)
    problems += std::string(problems.empty() ? "" : "; ") + "ioprio_set: " + std::strerror(errno);
  if (!problems.empty())
    return Status::Unsupported("could not lower priority (" + problems +
                               "); the backup runs at normal priority");
  return Status::Ok();
}

}  // namespace dredge
